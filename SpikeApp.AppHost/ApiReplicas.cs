using System.Globalization;

namespace SpikeApp.AppHost;

internal static class ApiReplicas
{
    public static string NameOf(int index) => $"api-{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Named resources on their own ports, no proxy: with <c>WithReplicas</c>, discovery would hand out only the proxy.</summary>
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
