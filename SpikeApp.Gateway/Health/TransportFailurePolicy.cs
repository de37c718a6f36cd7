using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace SpikeApp.Gateway.Health;

/// <summary>
/// One transport failure takes the replica out at once. YARP's own policy waits for a failure rate over a window, which a
/// replica that served thousands of requests reaches only long after it died.
/// </summary>
internal sealed class TransportFailurePolicy(IDestinationHealthUpdater healthUpdater) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "TransportFailure";
    private static readonly TimeSpan DefaultReactivationPeriod = TimeSpan.FromSeconds(5);

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        // A client that went away says nothing about the replica.
        if (context.Features.Get<IForwarderErrorFeature>() is not { } failure || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (failure.Error is ForwarderError.Request or ForwarderError.RequestTimedOut
            or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination)
        {
            var reactivation = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? DefaultReactivationPeriod;
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, reactivation);
        }
    }
}
