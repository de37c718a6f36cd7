namespace SpikeApp.AppHost.Publishing;

/// <summary>
/// What differs when the model is published rather than run: the servers become connection strings given where it is
/// deployed, and the services carry the probes an orchestrator acts on instead of the dashboard's health checks.
/// </summary>
internal static class PublishModeExtensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>
    /// Run: Redis as <c>Redis:Mode</c> says. Publish: the connection string <c>ConnectionStrings:{name}</c>, a secret
    /// parameter, since this machine's <c>redis-server</c> or a per-run data folder means nothing where the app is deployed.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, [ResourceName] string name) =>
        builder.ExecutionContext.IsPublishMode ? builder.AddConnectionString(name) : builder.AddSpikeRedis(name);

    /// <summary>Run: the orders database on PostgreSQL as <c>Postgres:Mode</c> says. Publish: its connection string, a secret parameter.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddOrdersDatabase(this IDistributedApplicationBuilder builder,
        [ResourceName] string serverName, [ResourceName] string name, string databaseName) =>
        builder.ExecutionContext.IsPublishMode
            ? builder.AddConnectionString(name)
            : builder.AddSpikePostgres(serverName).AddSpikeDatabase(name, databaseName);

    /// <summary>
    /// Run: the dashboard's health check on <c>/health</c>. Publish: readiness on <c>/health</c> and liveness on
    /// <c>/alive</c> (each probe adds its own health check, so none is added twice).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceHealth(this IResourceBuilder<ProjectResource> resource, string? endpointName = null)
    {
        if (!resource.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return resource.WithHttpHealthCheck(HealthPath, endpointName: endpointName);
        }

        // Plain HTTP unless told otherwise: a probe would pick the https endpoint, which a container behind the cluster's
        // TLS termination does not serve.
        endpointName ??= "http";
#pragma warning disable ASPIREPROBES001 // Probes are experimental in Aspire 13; they are what a published model's orchestrator needs.
        return resource
            .WithHttpProbe(ProbeType.Readiness, HealthPath, endpointName: endpointName)
            .WithHttpProbe(ProbeType.Liveness, AlivePath, endpointName: endpointName);
#pragma warning restore ASPIREPROBES001
    }
}
