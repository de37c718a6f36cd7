using Npgsql;
using SpikeApp.Testing;
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
            // The replicas then accept the tokens TestBuyers mints, and the LoadGen mints with the same key.
            $"Parameters:buyer-signing-key={TestBuyers.SigningKey}",
            // These tests check accounting, not timeouts (the fault tests do): a slow, shared CI core must not turn a sale into a 503.
            "Spike:RedisTimeout=00:00:10",
            // Nothing balances over these replicas when the test ends and stops them: a drain would only add to every test.
            "Spike:Shutdown:Drain=00:00:00",
            // The public port 5080 may be taken by a developer's own run; the gateway is reached through CreateHttpClient.
            "Gateway:Port=0",
            .. settings,
        ], cancellationToken);

        var app = await appHost.BuildAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        await app.StartAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        await WaitForHealthyAsync(app, [.. ReplicaNames(replicas), Gateway], cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        return app;
    }

    /// <summary>The public URL's resource, which balances over the replicas.</summary>
    public const string Gateway = "gateway";

    /// <summary>The replicas' resource names: <c>api-1</c> to <c>api-N</c>.</summary>
    public static IEnumerable<string> ReplicaNames(int replicas) => Enumerable.Range(1, replicas).Select(index => $"api-{index}");

    /// <summary>A sale test needs every replica healthy, not just the first one up.</summary>
    public static Task WaitForHealthyAsync(DistributedApplication app, IEnumerable<string> resourceNames, CancellationToken cancellationToken) =>
        Task.WhenAll(resourceNames.Select(name => app.ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken)));

    public static async Task<ConnectionMultiplexer> ConnectRedisAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var connectionString = await app.GetConnectionStringAsync("redis", cancellationToken)
            ?? throw new InvalidOperationException("redis has no connection string.");
        return await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
    }

    /// <summary>
    /// Waits until the order processor has moved <paramref name="expected"/> orders of <paramref name="saleId"/> into
    /// PostgreSQL (it trims the Redis stream once they are stored, so the stream's length says nothing then); returns
    /// how many it found.
    /// </summary>
    public static async Task<long> WaitForOrdersInPostgresAsync(DistributedApplication app, string saleId, long expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            long stored;
            try
            {
                await using var connection = await ConnectPostgresAsync(app, "ordersdb", cancellationToken);
                await using var count = new NpgsqlCommand("SELECT count(*) FROM orders WHERE sale_id = @sale", connection);
                count.Parameters.AddWithValue("sale", saleId);
                stored = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                stored = 0;
            }

            if (stored >= expected || DateTime.UtcNow > deadline)
            {
                return stored;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// An open connection to <paramref name="resourceName"/> (<c>postgres</c> or <c>ordersdb</c>), unpooled: a pooled one
    /// left idle would hold up the server's shutdown when the test stops the AppHost.
    /// </summary>
    private static async Task<NpgsqlConnection> ConnectPostgresAsync(DistributedApplication app, string resourceName, CancellationToken cancellationToken)
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
