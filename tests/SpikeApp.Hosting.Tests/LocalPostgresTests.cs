using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace SpikeApp.Hosting.Tests;

/// <summary>The PostgreSQL server the AppHost runs in local mode is locked down and durable as production needs it.</summary>
[Collection(OneAppHostAtATime.Name)]
public class LocalPostgresTests(LocalServersFixture appHost) : IClassFixture<LocalServersFixture>
{
    [Fact]
    public async Task LocalPostgresListensOnLoopbackOnly()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        await using var postgres = await ConnectAsync("postgres", timeout.Token);

        var settings = await postgres.SettingsAsync(timeout.Token, "listen_addresses", "unix_socket_directories");
        var serverAddress = await postgres.ScalarAsync<string>("SELECT host(inet_server_addr())", timeout.Token);

        Assert.Equal("127.0.0.1", new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Host);
        Assert.Equal(("127.0.0.1", ""), (settings["listen_addresses"], settings["unix_socket_directories"]));
        Assert.Equal("127.0.0.1", serverAddress);
    }

    [Fact]
    public async Task LocalPostgresRefusesConnectionsWithoutItsPassword()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        await using var postgres = await ConnectAsync("postgres", timeout.Token);
        var builder = new NpgsqlConnectionStringBuilder(await appHost.App.GetConnectionStringAsync("postgres", timeout.Token)) { Database = "postgres", Pooling = false };
        var password = builder.Password;

        builder.Password = null;
        var withoutPassword = await Assert.ThrowsAsync<NpgsqlException>(() => OpenAsync(builder.ConnectionString, timeout.Token));
        builder.Password = "not-the-generated-password";
        var wrongPassword = await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(builder.ConnectionString, timeout.Token));
        var authMethods = await postgres.ListAsync("SELECT DISTINCT auth_method FROM pg_hba_file_rules", timeout.Token);
        var storedAsScram = await postgres.ScalarAsync<bool>("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'postgres'", timeout.Token);

        Assert.True(password is { Length: >= 32 }, "The generated password is too short.");
        Assert.StartsWith("No password has been provided but the backend requires one", withoutPassword.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.InvalidPassword, wrongPassword.SqlState);
        Assert.Equal(["scram-sha-256"], authMethods);
        Assert.True(storedAsScram);
    }

    [Fact]
    public async Task LocalPostgresCommitsDurably()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        await using var postgres = await ConnectAsync("postgres", timeout.Token);

        var settings = await postgres.SettingsAsync(timeout.Token, "fsync", "synchronous_commit", "full_page_writes", "data_checksums");

        Assert.All(settings, setting => Assert.Equal("on", setting.Value));
    }

    [Fact]
    public async Task LocalPostgresRunsAsThePostgresUserWhenTheAppHostIsRoot()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        await LocalServersAppHost.WaitForOrdersAsync(appHost.App, timeout.Token);
        var server = appHost.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalPostgresResource>().Single();

        var postmaster = PostgresProcesses.Postmaster(server.DataDirectory);

        var expectedUser = Environment.IsPrivilegedProcess ? PostgresProcesses.UserId("postgres") : PostgresProcesses.UserIdOf(Environment.ProcessId);
        Assert.Equal(expectedUser, PostgresProcesses.UserIdOf(postmaster));
    }

    [Fact]
    public async Task TheOrdersDatabaseKeepsItsWritesAcrossARestartOfPostgres()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        var cancellationToken = timeout.Token;
        DateTime startedBefore;
        await using (var orders = await ConnectAsync("ordersdb", cancellationToken))
        {
            Assert.Equal("orders", await orders.ScalarAsync<string>("SELECT current_database()", cancellationToken));
            await orders.ExecuteAsync("CREATE TABLE restart_check (id text PRIMARY KEY, note text NOT NULL)", cancellationToken);
            await orders.ExecuteAsync("INSERT INTO restart_check VALUES ('order-1', 'kept')", cancellationToken);
            startedBefore = await orders.ScalarAsync<DateTime>("SELECT pg_postmaster_start_time()", cancellationToken);
        }

        var restartedAt = DateTime.UtcNow;
        var restart = await appHost.App.ResourceCommands.ExecuteCommandAsync("postgres", KnownResourceCommands.RestartCommand, cancellationToken);
        Assert.True(restart.Success, restart.Message);
        await appHost.App.ResourceNotifications.WaitForResourceAsync("ordersdb", update =>
                update.Snapshot.StartTimeStamp > restartedAt && update.Snapshot.HealthStatus == HealthStatus.Healthy,
                cancellationToken)
            .WaitAsync(LocalServersAppHost.DefaultTimeout, cancellationToken);

        await using var afterRestart = await ConnectAsync("ordersdb", cancellationToken);
        var startedAfter = await afterRestart.ScalarAsync<DateTime>("SELECT pg_postmaster_start_time()", cancellationToken);
        var notes = await afterRestart.ListAsync("SELECT note FROM restart_check WHERE id = 'order-1'", cancellationToken);

        Assert.True(startedAfter > startedBefore, $"The server started at {startedBefore:O} and again at {startedAfter:O}.");
        Assert.Equal(["kept"], notes);
    }

    private async Task<NpgsqlConnection> ConnectAsync(string resourceName, CancellationToken cancellationToken)
    {
        await LocalServersAppHost.WaitForOrdersAsync(appHost.App, cancellationToken);
        return await LocalServersAppHost.ConnectPostgresAsync(appHost.App, resourceName, cancellationToken);
    }

    private static async Task OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
    }
}
