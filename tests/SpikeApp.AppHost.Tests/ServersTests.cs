namespace SpikeApp.AppHost.Tests;

/// <summary>
/// The servers the AppHost adds (SpikeApp.Hosting tests how each mode runs them) and the names the services find them
/// by. Read from the model in container mode, which needs no server to start; each data folder is named, under
/// <c>dataRoot</c>, so that nothing is left in the temp folder.
/// </summary>
public class ServersTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TheAppHostHostsRedisAndTheOrdersDatabaseOfPostgres()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var dataRoot = Directory.CreateTempSubdirectory("spikeapp-container-test-").FullName;
        try
        {
            await using var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SpikeApp_AppHost>(
            [
                "Redis:Mode=container",
                $"Redis:DataDirectory={Path.Combine(dataRoot, "redis")}",
                "Postgres:Mode=container",
                $"Postgres:DataDirectory={Path.Combine(dataRoot, "postgres")}",
            ], timeout.Token);

            var redis = Assert.Single(appHost.Resources.OfType<RedisResource>());
            var postgres = Assert.Single(appHost.Resources.OfType<PostgresServerResource>());
            var orders = Assert.Single(appHost.Resources.OfType<PostgresDatabaseResource>());

            Assert.Equal(("redis", "postgres", "ordersdb", "orders"), (redis.Name, postgres.Name, orders.Name, orders.DatabaseName));
            Assert.Same(postgres, orders.Parent);
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }
}
