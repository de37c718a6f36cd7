using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpikeApp.Contracts.Buy;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Sales;
using SpikeApp.Store;
using SpikeApp.Testing;
using Xunit.Abstractions;

namespace SpikeApp.Api.Tests;

/// <summary>
/// A sale opens at a set time on Redis' clock, on every replica at once: before it, buyers are refused from memory at no
/// Redis cost; a replica whose own clock is wrong still sells nothing early; after the closing, nothing new is sold while
/// pending orders may still be paid. Real Redis, real Kestrel, real HTTP.
/// </summary>
[Collection(SharedRedis.Name)]
public class OpeningBellTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task BeforeTheOpeningEveryPurchaseIsRefusedFromMemoryWithNoRedisCommandButSyncs()
    {
        var opensAt = await RedisNowAsync() + TimeSpan.FromSeconds(30);
        await using var host = new ApiHost(redis, total: 10, opensAt: opensAt, settings: new Dictionary<string, string?>
        {
            // Neither background loop is due during the test; a sync that still comes is counted, not forbidden.
            ["Spike:ExpiryInterval"] = "00:01:00",
        });
        var client = await host.StartAsync();
        await client.GetAsync($"/api/sales/{host.SaleId}");
        var before = await RedisStats.ReadAsync(redis.Connection);

        var json = await Task.WhenAll(Enumerable.Range(0, 100).Select(buyer => client.BuyAsAsync(host.SaleId, $"early-{buyer}")));
        var anonymous = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.PostAsync($"/api/sales/{host.SaleId}/purchases", null)));
        var seed = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync("/buy/skill")));

        var after = await RedisStats.ReadAsync(redis.Connection);
        var syncs = after.CallsTo("zadd") - before.CallsTo("zadd");
        var directoryWrites = after.CallsTo("sadd") - before.CallsTo("sadd");
        output.WriteLine($"Syncs while 200 buyers were refused: {syncs} ({directoryWrites} by the reconcile loop); script calls {after.ScriptCalls - before.ScriptCalls}");
        // A sync is one script of seven commands (EVALSHA, HMGET, TIME, ZADD, ZREMRANGEBYSCORE, PEXPIRE, ZCARD), and the
        // reconcile loop's adds the sale to the directory (SADD); nothing else ran.
        Assert.Equal(syncs, after.ScriptCalls - before.ScriptCalls);
        Assert.InRange(directoryWrites, 0, syncs);
        Assert.Equal(7 * syncs + directoryWrites, after.DataCommandCalls - before.DataCommandCalls);
        foreach (var response in json.Concat(anonymous))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.InRange(response.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(ProblemTypes.SaleNotOpen, problem.RootElement.GetProperty("type").GetString());
            Assert.Equal(opensAt, problem.RootElement.GetProperty("opensAt").GetDateTimeOffset());
        }

        foreach (var response in seed)
        {
            Assert.Equal((HttpStatusCode.OK, SeedMessages.NotOpenBody), (response.StatusCode, await response.Content.ReadAsStringAsync()));
            // Shared caches may keep it for a second, as they keep "sold out".
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.CacheControl!.SharedMaxAge);
        }

        var sale = (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}"))!;
        Assert.Equal((SaleStates.Scheduled, 0L, opensAt, (DateTimeOffset?)null), (sale.State, sale.Sold, sale.OpensAt, sale.ClosesAt));
    }

    /// <summary>
    /// For the tests whose sale opens seconds after they start: on a loaded machine a warm-up before ready could outlast
    /// that, and the sale would open before the stampede is ready to meet it.
    /// </summary>
    private static readonly Dictionary<string, string?> NoWarmup = new() { ["Spike:Warmup:Enabled"] = "false" };

    [Fact]
    public async Task AReplicaWhoseClockRunsFiveSecondsAheadSellsNothingBeforeRedisOpensTheSale()
    {
        const int total = 5;
        var opensAt = await RedisNowAsync() + TimeSpan.FromSeconds(3);
        await using var host = new ApiHost(redis, total: total, settings: NoWarmup, opensAt: opensAt, clock: new SkewedClock(TimeSpan.FromSeconds(5)));
        var client = await host.StartAsync();
        using var timeout = new CancellationTokenSource(TestTimeout);

        // Its own clock says the sale opened two seconds ago; the reading of Redis' clock it took at sync says otherwise.
        var sale = (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}"))!;
        Assert.Equal(SaleStates.Scheduled, sale.State);
        Assert.InRange(sale.ServerTime - await RedisNowAsync(), TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1));

        var sales = await StampedeAsync(client, host.SaleId, "skewed", buyers: 8, until: opensAt + TimeSpan.FromSeconds(2), timeout.Token);

        var store = new RedisSaleStore(redis.Connection, TimeSpan.FromSeconds(5));
        var created = new List<DateTimeOffset>();
        foreach (var orderId in sales.Values)
        {
            created.Add((await store.GetOrderAsync(host.SaleId, orderId))!.CreatedAt);
        }

        output.WriteLine($"First sale {(created.Min() - opensAt).TotalMilliseconds:0} ms after the opening (Redis' clock)");
        Assert.Equal(total, created.Count);
        Assert.All(created, at => Assert.True(at >= opensAt, $"Sold at {at:O}, before the opening at {opensAt:O}."));
        // It opened from Redis' clock, not five seconds late nor early.
        Assert.InRange(created.Min() - opensAt, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ThreeReplicasStartSellingWithinMillisecondsOfOneAnother()
    {
        const int total = 300;
        var saleId = "bell-" + Guid.NewGuid().ToString("N")[..8];
        var opensAt = await RedisNowAsync() + TimeSpan.FromSeconds(4);
        var hosts = Enumerable.Range(1, 3)
            .Select(index => new ApiHost(redis, saleId, total, replicas: 3, replicaId: $"replica-{index}", settings: NoWarmup, opensAt: opensAt))
            .ToList();
        try
        {
            var clients = new List<HttpClient>();
            foreach (var host in hosts)
            {
                clients.Add(await host.StartAsync());
            }

            using var timeout = new CancellationTokenSource(TestTimeout);
            var stampedes = clients.Select((client, index) =>
                StampedeAsync(client, saleId, $"r{index}", buyers: 6, until: opensAt + TimeSpan.FromSeconds(1), timeout.Token));
            var sold = (await Task.WhenAll(stampedes)).SelectMany(sales => sales.Values).ToList();

            var store = new RedisSaleStore(redis.Connection, TimeSpan.FromSeconds(5));
            var firstSales = new Dictionary<string, DateTimeOffset>();
            foreach (var orderId in sold)
            {
                var order = (await store.GetOrderAsync(saleId, orderId))!;
                if (!firstSales.TryGetValue(order.ReplicaId, out var first) || order.CreatedAt < first)
                {
                    firstSales[order.ReplicaId] = order.CreatedAt;
                }
            }

            var offsets = firstSales.OrderBy(first => first.Key).Select(first => (first.Key, Ms: (first.Value - opensAt).TotalMilliseconds)).ToList();
            var spread = offsets.Max(offset => offset.Ms) - offsets.Min(offset => offset.Ms);
            output.WriteLine($"First sale per replica after the opening: {string.Join(", ", offsets.Select(offset => $"{offset.Key} +{offset.Ms:0} ms"))}; spread {spread:0} ms");
            Assert.Equal(3, firstSales.Count);
            Assert.All(offsets, offset => Assert.True(offset.Ms >= 0, $"{offset.Key} sold {offset.Ms} ms before the opening."));
            // Each replica reads Redis' clock to within its sync's round trip; the rest is the buyers' own pace on a shared machine.
            Assert.InRange(spread, 0, 250);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AfterTheClosingNothingNewIsSoldButAPendingOrderCanStillBePaid()
    {
        await using var host = new ApiHost(redis, total: 10);
        var client = await host.StartAsync();
        var closesAt = await RedisNowAsync() + TimeSpan.FromSeconds(2);
        (await PutAsync(client, host.SaleId, new SaleDefinition(10, ClosesAt: closesAt))).EnsureSuccessStatusCode();
        using var bought = await client.BuyAsAsync(host.SaleId, "alice");
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        var orderId = (await bought.Content.ReadFromJsonAsync<PurchaseResponse>())!.OrderId;

        await Task.Delay(closesAt - await RedisNowAsync() + TimeSpan.FromMilliseconds(100));
        using var late = await client.BuyAsAsync(host.SaleId, "bob");
        using var seed = await client.GetAsync("/buy/skill");
        using var paid = await client.PayAsAsync(host.SaleId, orderId, "alice", "pay-1");
        var sale = (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}"))!;

        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        using var problem = JsonDocument.Parse(await late.Content.ReadAsStringAsync());
        Assert.Equal(ProblemTypes.SaleClosed, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(closesAt, problem.RootElement.GetProperty("closesAt").GetDateTimeOffset());
        Assert.Equal(SeedMessages.ClosedBody, await seed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal((SaleStates.Closed, 1L, (DateTimeOffset?)closesAt), (sale.State, sale.Sold, sale.ClosesAt));
    }

    [Fact]
    public async Task AnOperatorSchedulesARoundAndAClosingBeforeTheOpeningIsRefused()
    {
        await using var host = new ApiHost(redis, total: 10);
        var client = await host.StartAsync();
        var now = await RedisNowAsync();
        var opensAt = now + TimeSpan.FromMinutes(5);

        using var backwards = await PutAsync(client, host.SaleId, new SaleDefinition(10, opensAt, opensAt - TimeSpan.FromSeconds(1)));
        using var pastClosing = await PutAsync(client, host.SaleId, new SaleDefinition(10, ClosesAt: now - TimeSpan.FromMinutes(1)));
        var unchanged = (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}"))!;
        using var scheduled = await PutAsync(client, host.SaleId, new SaleDefinition(7, opensAt, opensAt + TimeSpan.FromHours(1)));
        var sale = (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}"))!;
        using var refused = await client.BuyAsAsync(host.SaleId, "alice");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (backwards.StatusCode, pastClosing.StatusCode));
        Assert.Equal(SaleStates.Open, unchanged.State);
        Assert.Equal(HttpStatusCode.OK, scheduled.StatusCode);
        Assert.Equal((SaleStates.Scheduled, 7L, opensAt, (DateTimeOffset?)(opensAt + TimeSpan.FromHours(1))), (sale.State, sale.Total, sale.OpensAt, sale.ClosesAt));
        Assert.InRange(sale.ServerTime - now, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
    }

    /// <summary>
    /// Buyers who keep trying until <paramref name="until"/>: each asks again at once after "not open", and stops at its
    /// first order or a "sold out". Answers the orders made, per buyer.
    /// </summary>
    private static async Task<ConcurrentDictionary<string, string>> StampedeAsync(HttpClient client, string saleId, string prefix, int buyers,
        DateTimeOffset until, CancellationToken cancellationToken)
    {
        var orders = new ConcurrentDictionary<string, string>();
        await Task.WhenAll(Enumerable.Range(0, buyers).Select(async buyer =>
        {
            var userId = $"{prefix}-{buyer}";
            while (DateTimeOffset.UtcNow < until)
            {
                using var response = await client.BuyAsAsync(saleId, userId, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    orders[userId] = (await response.Content.ReadFromJsonAsync<PurchaseResponse>(cancellationToken))!.OrderId;
                    return;
                }

                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var type = problem.RootElement.GetProperty("type").GetString();
                if (type == ProblemTypes.SoldOut)
                {
                    return;
                }

                Assert.True(type is ProblemTypes.SaleNotOpen or ProblemTypes.RefillPending or ProblemTypes.RateLimited, $"Unexpected answer {type}.");
                // Asked again at once, as a buyer waiting for the bell would; a millisecond keeps the loop from owning a core.
                await Task.Delay(type == ProblemTypes.RateLimited ? 100 : 1, cancellationToken);
            }
        }));
        return orders;
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string saleId, SaleDefinition definition)
    {
        using var current = await client.GetAsync($"/api/sales/{saleId}");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/sales/{saleId}") { Content = JsonContent.Create(definition) };
        request.Headers.Add("X-Admin-Key", ApiHost.AdminKey);
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        return await client.SendAsync(request);
    }

    /// <summary>Redis' clock, to whole milliseconds as the sale keeps its times.</summary>
    private async Task<DateTimeOffset> RedisNowAsync()
    {
        var now = await redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]).TimeAsync();
        return DateTimeOffset.FromUnixTimeMilliseconds(new DateTimeOffset(now, TimeSpan.Zero).ToUnixTimeMilliseconds());
    }

    /// <summary>A machine clock that runs ahead of Redis' (and of every other machine's) by <paramref name="skew"/>.</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }
}
