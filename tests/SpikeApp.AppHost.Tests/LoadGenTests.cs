using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace SpikeApp.AppHost.Tests;

[Collection(OneAppHostAtATime.Name)]
public class LoadGenTests
{
    private const int Total = 500, Requests = 2000;

    [Fact]
    public async Task TheLoadgenResourceSellsExactlyTheStock()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancellationToken = timeout.Token;
        var report = Path.Combine(Path.GetTempPath(), $"spikeapp-loadgen-{Guid.NewGuid():N}.json");
        await using var app = await SpikeAppHost.StartAsync(replicas: 3, Total, bufferRatio: 0.2, cancellationToken,
            $"LoadGen:Requests={Requests}", "LoadGen:Concurrency=50", $"LoadGen:JsonReport={report}");
        var logs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        _ = Task.Run(async () =>
        {
            var loadgen = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(resource => resource.Name == "loadgen");
            await foreach (var batch in loggers.WatchAsync(loadgen).WithCancellation(cancellationToken))
            {
                foreach (var line in batch)
                {
                    logs.Enqueue(line.Content);
                }
            }
        }, cancellationToken);
        try
        {
            // Explicit start: nothing runs until asked, as with the dashboard's Start button.
            var result = await app.ResourceCommands.ExecuteCommandAsync("loadgen", KnownResourceCommands.StartCommand, cancellationToken);
            Assert.True(result.Success, result.Message);
            var finished = await app.ResourceNotifications
                .WaitForResourceAsync("loadgen", update => KnownResourceStates.TerminalStates.Contains(update.Snapshot.State?.Text), cancellationToken)
                .WaitAsync(SpikeAppHost.DefaultTimeout, cancellationToken);

            Assert.True(File.Exists(report), $"loadgen ended {finished.Snapshot.State?.Text} with exit code {finished.Snapshot.ExitCode} and wrote no report:\n{string.Join('\n', logs)}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, cancellationToken));
            var run = json.RootElement.GetProperty("run");
            var outcomes = run.GetProperty("outcomes");
            Assert.Equal(0, finished.Snapshot.ExitCode);
            Assert.Equal(Requests, run.GetProperty("requests").GetInt64());
            Assert.Equal(Total, outcomes.GetProperty("success").GetInt64());
            Assert.Equal(Requests - Total, outcomes.GetProperty("soldOut").GetInt64());
            Assert.True(json.RootElement.GetProperty("invariants").GetProperty("passed").GetBoolean());
            // Each buyer bought with its own token and read its order back with it; another buyer's token read one as missing.
            var checks = json.RootElement.GetProperty("invariants").GetProperty("results").EnumerateArray()
                .ToDictionary(check => check.GetProperty("name").GetString()!, check => check.GetProperty("status").GetString());
            Assert.Equal(("Passed", "Passed"), (checks["orders fetchable, each its buyer's"], checks["orders hidden from other buyers"]));
            Assert.Equal(0, json.RootElement.GetProperty("exitCode").GetInt32());
        }
        finally
        {
            File.Delete(report);
        }
    }
}
