using Npgsql;
using StackExchange.Redis;

namespace SpikeApp.Hosting.Tests;

/// <summary>
/// Starts SpikeApp.Hosting.TestAppHost (<c>redis</c>, <c>postgres</c> and its <c>ordersdb</c>) with both servers in
/// local mode, and waits until Redis and the orders database accept connections.
/// </summary>
internal static class LocalServersAppHost
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    public static async Task<DistributedApplication> StartAsync(CancellationToken cancellationToken, params string[] settings)
    {
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SpikeApp_Hosting_TestAppHost>(
        [
            // Tests run where CI runs: no container engine, redis-server and postgresql from the Debian packages.
            "Redis:Mode=local",
            "Postgres:Mode=local",
            .. settings,
        ], cancellationToken);

        var app = await appHost.BuildAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        await app.StartAsync(cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);
        await Task.WhenAll(
                app.ResourceNotifications.WaitForResourceHealthyAsync("redis", cancellationToken),
                WaitForOrdersAsync(app, cancellationToken))
            .WaitAsync(DefaultTimeout, cancellationToken);
        return app;
    }

    /// <summary>Waits until the <c>orders</c> database (resource <c>ordersdb</c>) accepts connections: the server is up and the database exists.</summary>
    public static Task WaitForOrdersAsync(DistributedApplication app, CancellationToken cancellationToken) =>
        app.ResourceNotifications.WaitForResourceHealthyAsync("ordersdb", cancellationToken).WaitAsync(DefaultTimeout, cancellationToken);

    public static async Task<ConnectionMultiplexer> ConnectRedisAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var connectionString = await app.GetConnectionStringAsync("redis", cancellationToken)
            ?? throw new InvalidOperationException("redis has no connection string.");
        return await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
    }

    /// <summary>
    /// An open connection to <paramref name="resourceName"/> (<c>postgres</c> or <c>ordersdb</c>), unpooled: a pooled one
    /// left idle would outlive the test that opened it.
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
