using System.Globalization;

namespace SpikeApp.AppHost;

internal static class ApiReplicas
{
    /// <summary>The one API resource of a published model: where it is deployed, the orchestrator decides how many run.</summary>
    public const string PublishedName = "api";

    public static string NameOf(int index) => $"api-{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Run: <c>api-1</c> to <c>api-N</c>. Publish: <see cref="PublishedName"/> alone, no count fixed.</summary>
    public static IReadOnlyList<string> Names(IDistributedApplicationBuilder builder, SpikeSettings spike) =>
        builder.ExecutionContext.IsPublishMode ? [PublishedName] : [.. Enumerable.Range(1, spike.Replicas).Select(NameOf)];

    /// <summary>Named resources on their own ports, no proxy: with <c>WithReplicas</c>, discovery would hand out only the proxy.</summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddApiReplicas(this IDistributedApplicationBuilder builder, SpikeSettings spike,
        Action<IResourceBuilder<ProjectResource>> configure) =>
        [.. Names(builder, spike).Select(name =>
        {
            var replica = builder.AddProject<Projects.SpikeApp_Api>(name)
                .WithEndpoint("http", endpoint =>
                {
                    endpoint.Port = null;
                    endpoint.IsProxied = false;
                });
            if (builder.ExecutionContext.IsRunMode)
            {
                // Published, each instance is named where it runs (the pod's name), never one name for all.
                replica.WithEnvironment("Spike__ReplicaId", name);
            }

            configure(replica);
            return replica;
        })];
}
