using System.Globalization;

namespace SpikeApp.AppHost;

internal static class ApiReplicas
{
    /// <summary>The resource name of replica <paramref name="index"/> (from 1), which is also its <c>Spike:ReplicaId</c>.</summary>
    public static string NameOf(int index) => $"api-{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Adds <see cref="SpikeSettings.Replicas"/> API replicas as named resources (<c>api-1</c>, <c>api-2</c>, ...),
    /// each on its own port with no Aspire proxy, so the gateway reaches each replica itself. (With
    /// <c>WithReplicas</c>, service discovery would hand out only the proxy's address.)
    /// </summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddApiReplicas(this IDistributedApplicationBuilder builder, SpikeSettings spike,
        Action<IResourceBuilder<ProjectResource>> configure) =>
        [.. Enumerable.Range(1, spike.Replicas).Select(index =>
        {
            var replica = builder.AddProject<Projects.SpikeApp_Api>(NameOf(index))
                .WithEndpoint("http", endpoint =>
                {
                    endpoint.Port = null;
                    endpoint.IsProxied = false;
                })
                .WithEnvironment("Spike__ReplicaId", NameOf(index));
            configure(replica);
            return replica;
        })];
}
