using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost.Gateway;

internal static class GatewayResourceExtensions
{
    /// <summary>The YARP cluster the gateway balances over (its <c>ReverseProxy:Clusters:api</c>).</summary>
    private const string ClusterKey = "ReverseProxy__Clusters__api__Destinations";

    /// <summary>
    /// Serves the gateway on <see cref="GatewaySettings.Port"/> itself, without Aspire's development proxy in front:
    /// the proxy pinned each keep-alive client to one replica and cost 4x on the seed's load test.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicEndpoint(this IResourceBuilder<ProjectResource> gateway, GatewaySettings settings) =>
        gateway.WithEndpoint("http", endpoint =>
        {
            endpoint.Port = settings.Port == 0 ? null : settings.Port;
            endpoint.IsProxied = false;
        });

    /// <summary>
    /// Makes each replica a destination of the gateway's cluster, found through service discovery by its resource name
    /// (<c>http://api-1</c>, the replica's own proxyless endpoint), with its configured weight; and nests the replicas
    /// under the gateway in the dashboard.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReplicaDestinations(this IResourceBuilder<ProjectResource> gateway,
        IEnumerable<IResourceBuilder<ProjectResource>> replicas, GatewaySettings settings)
    {
        foreach (var replica in replicas)
        {
            var name = replica.Resource.Name;
            gateway.WithReference(replica).WaitFor(replica)
                .WithEnvironment($"{ClusterKey}__{name}__Address", $"http://{name}");
            if (settings.Weights.TryGetValue(name, out var weight))
            {
                gateway.WithEnvironment($"{ClusterKey}__{name}__Metadata__Weight", weight.ToString(CultureInfo.InvariantCulture));
            }

            replica.WithParentRelationship(gateway);
        }

        return gateway;
    }

    /// <summary>Passes the AppHost's <c>Gateway</c> section to the gateway (<c>GatewayOptions</c>), less the keys the AppHost consumes.</summary>
    public static IResourceBuilder<ProjectResource> WithGatewayConfiguration(this IResourceBuilder<ProjectResource> gateway, IConfiguration configuration)
    {
        foreach (var (key, value) in configuration.GetSection(GatewaySettings.SectionName).AsEnumerable())
        {
            if (value is not null && !GatewaySettings.IsAppHostKey(key))
            {
                gateway.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        return gateway;
    }
}
