namespace SpikeApp.AppHost.Tests;

/// <summary>The servers the AppHost adds (SpikeApp.Hosting tests how each mode runs them) and the names the services find them by.</summary>
public class ServersTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TheAppHostHostsRedisAndTheOrdersDatabaseOfPostgres()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await ContainerModeModel.InspectAsync([], appHost =>
        {
            var redis = Assert.Single(appHost.Resources.OfType<RedisResource>());
            var postgres = Assert.Single(appHost.Resources.OfType<PostgresServerResource>());
            var orders = Assert.Single(appHost.Resources.OfType<PostgresDatabaseResource>());

            Assert.Equal(("redis", "postgres", "ordersdb", "orders"), (redis.Name, postgres.Name, orders.Name, orders.DatabaseName));
            Assert.Same(postgres, orders.Parent);
            return Task.CompletedTask;
        }, timeout.Token);
    }
}
