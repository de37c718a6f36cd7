using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost.Gateway;

internal static class GatewayResourceExtensions
{
    public const string AdminEndpointName = "admin";

    private const string ClusterKey = "ReverseProxy__Clusters__api__Destinations";

    /// <summary>No Aspire proxy in front: it pinned each keep-alive client to one replica (cost: bench/README.md).</summary>
    public static IResourceBuilder<ProjectResource> WithPublicEndpoint(this IResourceBuilder<ProjectResource> gateway, GatewaySettings settings) =>
        gateway.WithEndpoint("http", endpoint =>
        {
            endpoint.Port = settings.Port == 0 ? null : settings.Port;
            endpoint.IsProxied = false;
        });

    /// <summary>
    /// Health and the admin routes on a port of their own, never the public URL's; the gateway learns which port it is
    /// (it tells its endpoints apart by the port a connection came in on).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAdminEndpoint(this IResourceBuilder<ProjectResource> gateway, GatewaySettings settings)
    {
        gateway.WithHttpEndpoint(port: settings.AdminPort == 0 ? null : settings.AdminPort, name: AdminEndpointName, isProxied: false);
        return gateway.WithEnvironment("Gateway__AdminPort", $"{gateway.GetEndpoint(AdminEndpointName).Property(EndpointProperty.TargetPort)}");
    }

    /// <summary>Each replica is a destination found by its resource name, which resolves to its own proxyless endpoint.</summary>
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

        if (gateway.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            // Published, the one destination stands for every instance: one failed probe or reset connection must not
            // take them all out. Where it is deployed, each instance's readiness decides whether it gets requests.
            gateway
                .WithEnvironment("ReverseProxy__Clusters__api__HealthCheck__Active__Enabled", "false")
                .WithEnvironment("ReverseProxy__Clusters__api__HealthCheck__Passive__Enabled", "false");
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
