using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SpikeApp.Api.Breaker;
using SpikeApp.Contracts.Sales;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

[Collection(SharedRedis.Name)]
public class TelemetryNamesTests
{
    private const string SaleId = "telemetry-names";
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The replica's spans and instruments (SpikeApp.Stock; SpikeApp.Store's Redis calls and loop failures; the expiry's
    /// SpikeApp.Orders counter) while it sells locally and remotely, refills, holds a unit in doubt and settles it, opens
    /// its Redis breaker and probes it closed, syncs, fails a background round while Redis is stalled, takes payments and
    /// a reset, and sells out, against
    /// <c>Golden/telemetry-names.txt</c>. Its own redis-server, so it can be stalled.
    /// </summary>
    [Fact]
    public async Task SpansAndInstrumentsKeepTheirNames()
    {
        await using var redis = new RedisServerProcess();
        await redis.StartAsync();
        // Ten replicas share 10 units: this one's slice is 2, so the third purchase refills it.
        await using var host = new ApiHost(redis, SaleId, total: 10, replicas: 10, bufferRatio: 0.2, settings: new Dictionary<string, string?>
        {
            ["Spike:RefillInterval"] = "00:00:00",
            ["Spike:ReconcileInterval"] = "00:00:00.100",
            ["Spike:RedisTimeout"] = "00:00:00.200",
            // Bob's timeout alone opens the breaker.
            ["Spike:Breaker:FailureThreshold"] = "1",
        });
        var client = await host.StartAsync();
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var names = new TelemetryNames(instrumentFilter: instrument => instrument.Meter.Scope == meters);

        var order = await BuyAsync(client, "alice", HttpStatusCode.Created);
        // Stalled Redis: the unit bob took stays in doubt until a sync after the stall settles it.
        await redis.SuspendAsync();
        await BuyAsync(client, "bob", HttpStatusCode.ServiceUnavailable);
        // The background loops (expiry every interval) time out too, and count it.
        await names.WaitForAsync(SettleTimeout, "spike.loop.failures");
        await redis.ResumeAsync();
        await names.WaitForAsync(SettleTimeout, "spike.stock.settled");
        var breaker = host.Services.GetRequiredService<RedisBreaker>();
        using (var closed = new CancellationTokenSource(SettleTimeout))
        {
            while (breaker.State != BreakerState.Closed)
            {
                await Task.Delay(20, closed.Token);
            }
        }

        await BuyAsync(client, "carol", HttpStatusCode.Created);
        await BuyAsync(client, "alice", HttpStatusCode.OK);
        (await client.GetAsync($"/api/sales/{SaleId}")).Dispose();
        (await client.PayAsAsync(SaleId, order!, "alice", "pay-1")).Dispose();
        (await client.GetOrderAsAsync(SaleId, order!, "alice")).Dispose();
        (await client.GetMyOrderAsync(SaleId, "alice")).Dispose();
        (await HttpContractTests.ResetAsync(client, SaleId, total: 1)).EnsureSuccessStatusCode();

        await BuyAsync(client, "dave", HttpStatusCode.Created);
        await BuyAsync(client, "erin", HttpStatusCode.Conflict);

        GoldenFiles.AssertMatches("telemetry-names", names.Describe());
    }

    private static async Task<string?> BuyAsync(HttpClient client, string userId, HttpStatusCode expected)
    {
        using var response = await HttpContractTests.BuyAsync(client, SaleId, userId);
        Assert.Equal(expected, response.StatusCode);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<PurchaseResponse>())!.OrderId : null;
    }
}
