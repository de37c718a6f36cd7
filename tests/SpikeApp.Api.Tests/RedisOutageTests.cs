using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpikeApp.Api.Stock;
using SpikeApp.Store;
using SpikeApp.Store.Expiry;

namespace SpikeApp.Api.Tests;

/// <summary>
/// A replica whose Redis is gone: a sync of a sale it never loaded (a change message for it, during the outage) is the
/// store's "unavailable", its background loops fail without ending it and say so once each, and it recovers.
/// </summary>
public class RedisOutageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SyncingASaleNeverLoadedWhileRedisIsDownIsUnavailableAndTheHostLives()
    {
        // Its own redis-server, killed and started again (empty: no append-only file).
        await using var redis = new RedisServerProcess();
        await redis.StartAsync();
        var logs = new LoopLogs();
        await using var host = new ApiHost(redis, total: 5, settings: new Dictionary<string, string?>
        {
            ["Spike:ReconcileInterval"] = "00:00:00.100",
            ["Spike:ExpiryInterval"] = "00:00:00.100",
        }, logs: logs);
        var client = await host.StartAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        var registry = host.Services.GetRequiredService<SaleRegistry>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        redis.Kill();
        await Assert.ThrowsAsync<SaleStoreUnavailableException>(() => registry.SyncAsync("never-loaded"));

        while (logs.Count(SaleReconciler.ReconcileLoop, LoopLogs.Failing) == 0 || logs.Count(OrderExpirer.Loop, LoopLogs.Failing) == 0)
        {
            await Task.Delay(50, timeout.Token);
        }

        // Rounds keep failing every back-off meanwhile; none is logged again within the log interval.
        await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
        Assert.Null(registry.Find("never-loaded"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health", timeout.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", timeout.Token)).StatusCode);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal(1, logs.Count(SaleReconciler.ReconcileLoop, LoopLogs.Failing));
        Assert.Equal(1, logs.Count(OrderExpirer.Loop, LoopLogs.Failing));
        Assert.Equal(0, logs.Count(SaleReconciler.ChangeLoop, LoopLogs.Failing));

        await redis.StartAsync();
        while (logs.Count(SaleReconciler.ReconcileLoop, LoopLogs.Recovered) == 0 || logs.Count(OrderExpirer.Loop, LoopLogs.Recovered) == 0)
        {
            await Task.Delay(50, timeout.Token);
        }

        Assert.Equal(1, logs.Count(SaleReconciler.ReconcileLoop, LoopLogs.Recovered));
        Assert.Equal(1, logs.Count(OrderExpirer.Loop, LoopLogs.Recovered));
        Assert.Equal(0, logs.Count(SaleReconciler.ReconcileLoop, LoopLogs.StillFailing));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
    }
}
