using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpikeApp.Hosting.Postgres;

namespace SpikeApp.Hosting.Tests;

/// <summary>
/// What a local PostgreSQL leaves behind when the AppHost stops: nothing, or, when asked to, its data. A client stays
/// connected while the AppHost stops, as the order processor's pooled connections do: the stop must not wait for it.
/// </summary>
[Collection(OneAppHostAtATime.Name)]
public class PostgresLifetimeTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task StoppingTheAppHostStopsPostgresAndDeletesTheRunsDataFolder()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = await LocalServersAppHost.StartAsync(timeout.Token);
        IReadOnlyList<int> processes;
        string dataDirectory;
        NpgsqlConnection connectedClient;
        try
        {
            dataDirectory = LocalServer(app).DataDirectory;
            connectedClient = await LocalServersAppHost.ConnectPostgresAsync(app, "ordersdb", timeout.Token);
            processes = PostgresProcesses.Of(dataDirectory);
        }
        finally
        {
            await app.DisposeAsync();
        }

        await using (connectedClient)
        {
            var stillAlive = processes.Where(PostgresProcesses.IsAlive).ToList();
            Assert.True(processes.Count >= 3, $"Expected the postmaster and its children, found processes {string.Join(", ", processes)}.");
            Assert.StartsWith(Path.GetTempPath(), dataDirectory, StringComparison.Ordinal);
            Assert.Empty(stillAlive);
            Assert.False(Directory.Exists(dataDirectory), $"{dataDirectory} is left behind.");
        }
    }

    [Fact]
    public async Task AKeptDataFolderKeepsItsDataAcrossRunsAndIsShutDownCleanly()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var cancellationToken = timeout.Token;
        var dataDirectory = Directory.CreateTempSubdirectory("spikeapp-postgres-test-").FullName;
        try
        {
            var firstPassword = await RunAsync(dataDirectory, async orders =>
            {
                await orders.ExecuteAsync("CREATE TABLE kept_check (id text PRIMARY KEY, note text NOT NULL)", cancellationToken);
                await orders.ExecuteAsync("INSERT INTO kept_check VALUES ('order-1', 'kept')", cancellationToken);
            }, cancellationToken);
            var stateBetweenRuns = await ClusterStateAsync(dataDirectory, cancellationToken);

            List<string> notes = [];
            var secondPassword = await RunAsync(dataDirectory, async orders =>
                notes = await orders.ListAsync("SELECT note FROM kept_check WHERE id = 'order-1'", cancellationToken), cancellationToken);

            // "in production" would mean the server was killed and the next start had to recover.
            Assert.Equal("shut down", stateBetweenRuns);
            Assert.Equal(["kept"], notes);
            // Each run generates a password; the kept cluster took the second one.
            Assert.NotEqual(firstPassword, secondPassword);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static LocalPostgresResource LocalServer(DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalPostgresResource>().Single();

    /// <summary>
    /// One AppHost run on <paramref name="dataDirectory"/>: <paramref name="use"/> gets the orders database; answers the
    /// run's password once the server has exited.
    /// </summary>
    private static async Task<string> RunAsync(string dataDirectory, Func<NpgsqlConnection, Task> use, CancellationToken cancellationToken)
    {
        var app = await LocalServersAppHost.StartAsync(cancellationToken, $"Postgres:DataDirectory={dataDirectory}");
        string password;
        int postmaster;
        NpgsqlConnection connectedClient;
        try
        {
            await using (var orders = await LocalServersAppHost.ConnectPostgresAsync(app, "ordersdb", cancellationToken))
            {
                await use(orders);
            }

            password = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("ordersdb", cancellationToken)).Password
                ?? throw new InvalidOperationException("The orders connection string has no password.");
            postmaster = PostgresProcesses.Postmaster(dataDirectory);
            connectedClient = await LocalServersAppHost.ConnectPostgresAsync(app, "ordersdb", cancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
        }

        // A kept folder is not deleted, so nothing waits for the server: the cluster is read only once it has exited.
        await using (connectedClient)
        {
            var waitingSince = Stopwatch.GetTimestamp();
            while (PostgresProcesses.IsAlive(postmaster) && Stopwatch.GetElapsedTime(waitingSince) < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, cancellationToken);
            }

            Assert.False(PostgresProcesses.IsAlive(postmaster), $"PostgreSQL (process {postmaster}) still runs after the AppHost stopped.");
        }

        return password;
    }

    /// <summary>"Database cluster state" as pg_controldata reads it from the stopped cluster: "shut down" after a clean stop.</summary>
    private static async Task<string> ClusterStateAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var controlData = Path.Combine(PostgresInstallation.Find()!.BinDirectory, "pg_controldata");
        // LC_ALL=C: the line is read by its English label.
        using var process = Process.Start(new ProcessStartInfo(controlData, [dataDirectory]) { RedirectStandardOutput = true, Environment = { ["LC_ALL"] = "C" } })!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        const string label = "Database cluster state:";
        return output.Split('\n').Single(line => line.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim();
    }
}
