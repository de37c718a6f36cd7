using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace SpikeApp.AppHost.Tests;

/// <summary>
/// Starts the real AppHost (local redis-server and PostgreSQL, replicated API) and waits until every replica is healthy.
/// </summary>
internal static class SpikeAppHost
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);
    public const string AdminKey = "apphost-test-admin-key-0123456789";

    public static async Task<DistributedApplication> StartAsync(int replicas, int total, double bufferRatio, CancellationToken cancellationToken,
        params string[] settings)
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SpikeApp_AppHost>(
        [
            // Tests run where CI runs: no container engine, redis-server and postgresql from the Debian packages.
            "Redis:Mode=local",
            "Postgres:Mode=local",
            $"Spike:Replicas={replicas}",
            $"Spike:BufferRatio={bufferRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            $"Spike:DefaultSale:Total={total}",
            $"Parameters:admin-key={AdminKey}",
            // These tests check accounting, not timeouts (the fault tests do): a slow, shared CI core must not turn a sale into a 503.
            "Spike:RedisTimeoutMilliseconds=10000",
            .. settings,
        ], cancellationToken);

        var app = await appHost.BuildAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        await app.StartAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        await WaitForHealthyReplicasAsync(app, "api", replicas, cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        return app;
    }

    /// <summary>
    /// <c>WaitForResourceHealthyAsync</c> returns when the first replica is healthy; a sale test needs all of them.
    /// </summary>
    public static async Task WaitForHealthyReplicasAsync(DistributedApplication app, string resourceName, int replicas, CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.Resource.Name != resourceName)
            {
                continue;
            }

            if (update.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                healthy.Add(update.ResourceId);
            }
            else
            {
                healthy.Remove(update.ResourceId);
            }

            if (healthy.Count == replicas)
            {
                return;
            }
        }
    }

    public static async Task<ConnectionMultiplexer> ConnectRedisAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var connectionString = await app.GetConnectionStringAsync("redis", cancellationToken)
            ?? throw new InvalidOperationException("redis has no connection string.");
        return await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
    }

    /// <summary>Waits until the <c>orders</c> database accepts connections: the server is up and the database exists.</summary>
    public static Task WaitForOrdersAsync(DistributedApplication app, CancellationToken cancellationToken) =>
        app.ResourceNotifications.WaitForResourceHealthyAsync("orders", cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);

    /// <summary>
    /// An open connection to <paramref name="resourceName"/> (<c>postgres</c> or <c>orders</c>), unpooled: a pooled one
    /// left idle would hold up the server's shutdown when the test stops the AppHost.
    /// </summary>
    public static async Task<NpgsqlConnection> ConnectPostgresAsync(DistributedApplication app, string resourceName, CancellationToken cancellationToken)
    {
        var connectionString = await app.GetConnectionStringAsync(resourceName, cancellationToken)
            ?? throw new InvalidOperationException($"{resourceName} has no connection string.");
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        builder.Database ??= "postgres";
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
