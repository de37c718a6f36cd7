namespace SpikeApp.AppHost.Tests;

/// <summary>
/// The AppHost's model with Redis and PostgreSQL in container mode. No container can start here, so the tests read the
/// model only; each server's data folder is named, under <c>dataRoot</c>, so that nothing is left in the temp folder.
/// </summary>
internal static class ContainerModeAppHost
{
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync(string dataRoot, CancellationToken cancellationToken, params string[] settings) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.SpikeApp_AppHost>(
        [
            "Redis:Mode=container",
            $"Redis:DataDirectory={Path.Combine(dataRoot, "redis")}",
            "Postgres:Mode=container",
            $"Postgres:DataDirectory={Path.Combine(dataRoot, "postgres")}",
            .. settings,
        ], cancellationToken);
}
