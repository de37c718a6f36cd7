using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpikeApp.AppHost.Postgres;

namespace SpikeApp.AppHost.Tests;

/// <summary>What a local PostgreSQL leaves behind when the AppHost stops: nothing, or, when asked to, its data.</summary>
[Collection(OneAppHostAtATime.Name)]
public class PostgresLifetimeTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task StoppingTheAppHostStopsPostgresAndDeletesTheRunsDataFolder()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var app = await StartAsync(timeout.Token);
        IReadOnlyList<int> processes;
        string dataDirectory;
        try
        {
            await SpikeAppHost.WaitForOrdersAsync(app, timeout.Token);
            dataDirectory = LocalServer(app).DataDirectory;
            processes = PostgresProcesses.Of(dataDirectory);
        }
        finally
        {
            await app.DisposeAsync();
        }

        var stillAlive = processes.Where(PostgresProcesses.IsAlive).ToList();
        Assert.True(processes.Count >= 3, $"Expected the postmaster and its children, found processes {string.Join(", ", processes)}.");
        Assert.StartsWith(Path.GetTempPath(), dataDirectory, StringComparison.Ordinal);
        Assert.Empty(stillAlive);
        Assert.False(Directory.Exists(dataDirectory), $"{dataDirectory} is left behind.");
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

    private static Task<DistributedApplication> StartAsync(CancellationToken cancellationToken, params string[] settings) =>
        SpikeAppHost.StartAsync(replicas: 1, total: 10, bufferRatio: 0, cancellationToken, settings);

    private static LocalPostgresResource LocalServer(DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalPostgresResource>().Single();

    /// <summary>One AppHost run on <paramref name="dataDirectory"/>: <paramref name="use"/> gets the orders database; answers the run's password.</summary>
    private static async Task<string> RunAsync(string dataDirectory, Func<NpgsqlConnection, Task> use, CancellationToken cancellationToken)
    {
        await using var app = await StartAsync(cancellationToken, $"Postgres:DataDirectory={dataDirectory}");
        await SpikeAppHost.WaitForOrdersAsync(app, cancellationToken);
        await using var orders = await SpikeAppHost.ConnectPostgresAsync(app, "orders", cancellationToken);
        await use(orders);
        return new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("orders", cancellationToken)).Password
            ?? throw new InvalidOperationException("The orders connection string has no password.");
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
