using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy;

namespace SpikeApp.Gateway.Health;

/// <summary>Ready while at least one replica may take a request, so <c>WaitFor(gateway)</c> means buyers can buy.</summary>
internal sealed class ReplicasHealthCheck(IProxyStateLookup proxyState) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!proxyState.TryGetCluster(GatewayOptions.ReplicaClusterId, out var cluster))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"No cluster '{GatewayOptions.ReplicaClusterId}' is configured."));
        }

        var destinations = cluster.DestinationsState;
        var summary = $"{destinations.AvailableDestinations.Count} of {destinations.AllDestinations.Count} replicas available";
        return Task.FromResult(destinations.AvailableDestinations.Count > 0 ? HealthCheckResult.Healthy(summary) : HealthCheckResult.Unhealthy(summary));
    }
}
