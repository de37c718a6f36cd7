using System.Globalization;
using Yarp.ReverseProxy.Configuration;

namespace SpikeApp.Gateway.Balancing;

internal sealed class WeightsConfigFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        foreach (var (id, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
        {
            if (destination.Metadata?.TryGetValue(WeightedRoundRobinPolicy.WeightMetadata, out var text) == true
                && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var weight) && weight is >= 1 and <= WeightedRoundRobinPolicy.MaxWeight))
            {
                throw new InvalidOperationException(
                    $"Destination '{id}' of cluster '{cluster.ClusterId}' has weight '{text}'; a weight is a whole number from 1 to {WeightedRoundRobinPolicy.MaxWeight}.");
            }
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
