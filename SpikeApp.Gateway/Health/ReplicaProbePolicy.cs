using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SpikeApp.Gateway.Health;

/// <summary>YARP's consecutive-failures policy at threshold 1, but logging each change once, not a stack trace per failed probe.</summary>
internal sealed partial class ReplicaProbePolicy(IDestinationHealthUpdater healthUpdater, ILogger<ReplicaProbePolicy> logger) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "ReplicaProbe";

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        if (probingResults.Count == 0)
        {
            return;
        }

        var newHealths = new NewActiveDestinationHealth[probingResults.Count];
        for (var i = 0; i < probingResults.Count; i++)
        {
            var (destination, response, exception) = (probingResults[i].Destination, probingResults[i].Response, probingResults[i].Exception);
            var health = response is { IsSuccessStatusCode: true } ? DestinationHealth.Healthy : DestinationHealth.Unhealthy;
            var previous = destination.Health.Active;
            if (health == DestinationHealth.Unhealthy && previous != DestinationHealth.Unhealthy)
            {
                LogDown(destination.DestinationId, response is null ? exception?.Message ?? "no answer" : $"HTTP {(int)response.StatusCode}");
            }
            else if (health == DestinationHealth.Healthy && previous == DestinationHealth.Unhealthy)
            {
                LogBack(destination.DestinationId);
            }

            newHealths[i] = new NewActiveDestinationHealth(destination, health);
        }

        healthUpdater.SetActive(cluster, newHealths);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Replica} failed its health probe ({Reason}): no requests go to it until a probe succeeds")]
    private partial void LogDown(string replica, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Replica} passed its health probe: it takes requests again")]
    private partial void LogBack(string replica);
}
