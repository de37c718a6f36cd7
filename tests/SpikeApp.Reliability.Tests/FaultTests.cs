using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// Each test does the bad thing to a real process — SIGKILL a replica, SIGKILL Redis, SIGSTOP Redis, restart a
/// replica — and then checks the stock-integrity invariants exactly.
/// </summary>
[Collection(nameof(FaultTests))]
public class FaultTests(ITestOutputHelper output)
{
    private const int Concurrency = 16, RedisTimeoutMilliseconds = 1000, SalesBeforeTheFault = 150;

    /// <summary>Fewer than the stall tests' stock, so every stalled buyer's retry can still buy: the breaker answers thousands a second.</summary>
    private const int MaxStalledBuyers = 2000;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task WhenAReplicaDiesMidSaleTheSurvivorsSellExactlyTheRest()
    {
        // Buffer 0.5: each slice is half the stock, so two survivors can sell everything the dead one did not.
        await using var cluster = await SpikeCluster.StartAsync(replicas: 3, total: 600, bufferRatio: 0.5);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var acknowledged = new ConcurrentDictionary<string, string>();
        var answers = new ConcurrentDictionary<string, int>();
        var victim = cluster.Replicas[0];
        var killed = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 6000), Options(timeout.Token), async (buyer, token) =>
        {
            var alive = cluster.Replicas.Where(replica => replica != victim || Volatile.Read(ref killed) == 0).ToList();
            var purchase = await SpikeCluster.BuyAsync(alive[buyer % alive.Count], $"buyer-{buyer}", token);
            Count(answers, purchase);
            if (purchase.Status == HttpStatusCode.Created)
            {
                acknowledged[purchase.UserId] = purchase.OrderId!;
                if (acknowledged.Count >= cluster.Total / 2 && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    victim.Kill();
                }
            }
        });

        var soldByVictim = (long)await cluster.Redis.Database.HashGetAsync(SpikeCluster.Key("sold-by-replica"), victim.ReplicaId);
        output.WriteLine($"Answers: {Describe(answers)}; the killed replica had sold {soldByVictim}");
        Assert.Equal(1, killed);
        Assert.Empty(answers.Keys.Except(["201", "409", "unanswered"]));
        Assert.InRange(soldByVictim, 1, cluster.Slice);
        Assert.Equal(cluster.Total, await cluster.SoldAsync());
        // A buyer whose request died with the replica may or may not have bought; only such buyers may lack a 201.
        Assert.InRange(acknowledged.Count, cluster.Total - answers.GetValueOrDefault("unanswered"), cluster.Total);
        await cluster.AssertInvariantsAsync(acknowledged);
    }

    [Fact]
    public async Task WhileRedisIsDownBuyersGetAFast503()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var cluster = await StartWithSalesBeforeTheFaultAsync(new(), timeout.Token);

        cluster.Redis.Kill();
        var outage = new ConcurrentBag<Purchase>();
        await BuyDuringAsync(cluster, outage, TimeSpan.FromSeconds(5), "outage", timeout.Token);

        var slowest = outage.Max(purchase => purchase.Elapsed);
        output.WriteLine($"Outage: {outage.Count} purchases, all {string.Join(",", outage.Select(p => (int?)p.Status).Distinct())}, slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.NotEmpty(outage);
        Assert.All(outage, purchase =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, purchase.Status);
            Assert.Equal(TimeSpan.FromSeconds(1), purchase.RetryAfter);
        });
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"A purchase waited {slowest.TotalMilliseconds:F0} ms while Redis was down.");
    }

    [Fact]
    public async Task WhileRedisIsDownReplicasStayAliveWithSteadySocketsAndThreads()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var cluster = await StartWithSalesBeforeTheFaultAsync(new(), timeout.Token);

        cluster.Redis.Kill();
        var outage = new ConcurrentBag<Purchase>();
        await BuyDuringAsync(cluster, outage, TimeSpan.FromSeconds(2), "early", timeout.Token);
        var resourcesEarly = cluster.Replicas.Select(replica => ProcessResources.Of(replica.Process)).ToList();
        await BuyDuringAsync(cluster, outage, TimeSpan.FromSeconds(3), "late", timeout.Token);
        var resourcesLate = cluster.Replicas.Select(replica => ProcessResources.Of(replica.Process)).ToList();

        output.WriteLine($"Outage: {outage.Count} purchases; after 2 s {string.Join(" ", resourcesEarly)}, after 5 s {string.Join(" ", resourcesLate)}");
        // Reconnect attempts must not pile up sockets or threads while Redis stays down (the seed leaked sockets until it died).
        foreach (var (early, late) in resourcesEarly.Zip(resourcesLate))
        {
            Assert.InRange(late.Sockets, 0, early.Sockets + 2);
            Assert.InRange(late.Threads, 0, early.Threads + 4);
        }

        Assert.All(cluster.Replicas, replica => Assert.True(replica.IsRunning));
        Assert.All(await Task.WhenAll(cluster.Replicas.Select(replica => replica.Client.GetAsync("/alive", timeout.Token))),
            alive => Assert.Equal(HttpStatusCode.OK, alive.StatusCode));
    }

    [Fact]
    public async Task WhenRedisDiesEveryAcknowledgedOrderSurvives()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var acknowledged = new ConcurrentDictionary<string, string>();
        await using var cluster = await StartWithSalesBeforeTheFaultAsync(acknowledged, timeout.Token);
        Assert.Equal(SalesBeforeTheFault, acknowledged.Count);

        cluster.Redis.Kill();
        await cluster.Redis.StartAsync();
        await cluster.WaitUntilSellingAsync(timeout.Token);

        Assert.Equal(SalesBeforeTheFault, await cluster.SoldAsync());
        await cluster.AssertInvariantsAsync(acknowledged);
    }

    [Fact]
    public async Task WhenRedisReturnsTheReplicasSellExactlyTheRest()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var acknowledged = new ConcurrentDictionary<string, string>();
        await using var cluster = await StartWithSalesBeforeTheFaultAsync(acknowledged, timeout.Token);

        cluster.Redis.Kill();
        // Buyers turned away during the outage must not cost the sale any stock.
        await BuyDuringAsync(cluster, new ConcurrentBag<Purchase>(), TimeSpan.FromSeconds(2), "outage", timeout.Token);
        await cluster.Redis.StartAsync();
        await cluster.WaitUntilSellingAsync(timeout.Token);
        await BuyAllAsync(cluster, Enumerable.Range(0, 2000).Select(buyer => $"after-{buyer}"), acknowledged, timeout.Token);

        Assert.Equal(cluster.Total, await cluster.SoldAsync());
        await cluster.AssertInvariantsAsync(acknowledged);
    }

    [Fact]
    public async Task WhenRedisStallsBuyersGet503WithinTheTimeout()
    {
        await using var cluster = await SpikeCluster.StartAsync(replicas: 1, total: 5000, bufferRatio: 0, RedisTimeoutMilliseconds);
        using var timeout = new CancellationTokenSource(TestTimeout);
        await BuyAllAsync(cluster, Enumerable.Range(0, 50).Select(buyer => $"before-{buyer}"), new(), timeout.Token);

        var stalled = await BuyWhileRedisIsSuspendedAsync(cluster, TimeSpan.FromSeconds(3), timeout.Token);

        var slowest = stalled.Max(purchase => purchase.Elapsed);
        output.WriteLine($"Stall: {stalled.Count} purchases, slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.All(stalled, purchase => Assert.Equal(HttpStatusCode.ServiceUnavailable, purchase.Status));
        Assert.True(slowest < TimeSpan.FromMilliseconds(RedisTimeoutMilliseconds + 500), $"A purchase waited {slowest.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public async Task ARetryAfterARedisStallNeverBuysTwice()
    {
        await using var cluster = await SpikeCluster.StartAsync(replicas: 1, total: 5000, bufferRatio: 0, RedisTimeoutMilliseconds);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var acknowledged = new ConcurrentDictionary<string, string>();
        await BuyAllAsync(cluster, Enumerable.Range(0, 50).Select(buyer => $"before-{buyer}"), acknowledged, timeout.Token);
        var stalled = await BuyWhileRedisIsSuspendedAsync(cluster, TimeSpan.FromSeconds(3), timeout.Token);

        // Redis runs the commands it had queued when it wakes: some "timed out" buyers did buy. Their retry must say so.
        // The stall opened the replica's breaker: it lets purchases through again at most one break (and a probe) later.
        await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
        var retries = new ConcurrentBag<Purchase>();
        await Parallel.ForEachAsync(stalled, Options(timeout.Token), async (purchase, token) =>
            retries.Add(await SpikeCluster.BuyAsync(cluster.Replicas[0], purchase.UserId, token)));

        var found = retries.Count(retry => retry.Status == HttpStatusCode.OK);
        var bought = retries.Count(retry => retry.Status == HttpStatusCode.Created);
        output.WriteLine($"Stall: {stalled.Count} purchases; retries found {found} orders made during the stall, bought {bought}");
        Assert.Equal(stalled.Count, found + bought);
        foreach (var retry in retries)
        {
            acknowledged[retry.UserId] = retry.OrderId!;
        }

        Assert.Equal(50 + stalled.Count, await cluster.SoldAsync());
        await cluster.AssertInvariantsAsync(acknowledged);
    }

    [Fact]
    public async Task AReplicaThatRestartsGetsAFreshSlice()
    {
        await using var cluster = await SpikeCluster.StartAsync(replicas: 2, total: 300, bufferRatio: 0.5);
        using var timeout = new CancellationTokenSource(TestTimeout);
        await BuyAllAsync(cluster, Enumerable.Range(0, 100).Select(buyer => $"before-{buyer}"), new(), timeout.Token);
        var restarted = cluster.Replicas[0];

        restarted.Kill();
        await restarted.StartAsync();
        var sale = await GetSaleAsync(restarted, timeout.Token);

        // Its share of what remains among the two members Redis knows (its own id came back, the other kept syncing).
        Assert.Equal(cluster.SliceFor(cluster.Total - 100, members: 2), sale.GetProperty("replica").GetProperty("sliceRemaining").GetInt32());
    }

    [Fact]
    public async Task AReplicaRestartLeavesTheSaleIntact()
    {
        await using var cluster = await SpikeCluster.StartAsync(replicas: 2, total: 300, bufferRatio: 0.5);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var acknowledged = new ConcurrentDictionary<string, string>();
        await BuyAllAsync(cluster, Enumerable.Range(0, 100).Select(buyer => $"before-{buyer}"), acknowledged, timeout.Token);
        var epoch = await cluster.EpochAsync();
        var restarted = cluster.Replicas[0];

        restarted.Kill();
        await restarted.StartAsync();
        var sale = await GetSaleAsync(restarted, timeout.Token);

        Assert.Equal(100, sale.GetProperty("sold").GetInt64());
        Assert.Equal(cluster.Total, sale.GetProperty("total").GetInt64());
        Assert.Equal(epoch, sale.GetProperty("epoch").GetInt64());
        await BuyAllAsync(cluster, Enumerable.Range(0, 1000).Select(buyer => $"after-{buyer}"), acknowledged, timeout.Token);
        Assert.Equal(cluster.Total, await cluster.SoldAsync());
        await cluster.AssertInvariantsAsync(acknowledged, replicasRestarted: true);
    }

    /// <summary>
    /// The Redis-fault tests' cluster: 2 replicas, total 400, and <see cref="SalesBeforeTheFault"/> units sold; with its
    /// ledger, whose order processor opens the sale again once a restarted Redis is checked.
    /// </summary>
    private static async Task<SpikeCluster> StartWithSalesBeforeTheFaultAsync(ConcurrentDictionary<string, string> acknowledged, CancellationToken cancellationToken)
    {
        var cluster = await SpikeCluster.StartAsync(replicas: 2, total: 400, bufferRatio: 0.5,
            ledger: new Dictionary<string, string> { ["Orders__LedgerCheckInterval"] = "00:00:00.200" });
        await BuyAllAsync(cluster, Enumerable.Range(0, SalesBeforeTheFault).Select(buyer => $"before-{buyer}"), acknowledged, cancellationToken);
        return cluster;
    }

    /// <summary>Buys for every user, round robin over the replicas; records every 201 and tolerates only 201 and 409.</summary>
    private static Task BuyAllAsync(SpikeCluster cluster, IEnumerable<string> userIds, ConcurrentDictionary<string, string> acknowledged, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(userIds.Select((userId, index) => (userId, index)), Options(cancellationToken), async (buyer, token) =>
        {
            var purchase = await SpikeCluster.BuyAsync(cluster.Replicas[buyer.index % cluster.Replicas.Count], buyer.userId, token);
            Assert.True(purchase.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{buyer.userId}: {purchase.Status}");
            if (purchase.Status == HttpStatusCode.Created)
            {
                acknowledged[purchase.UserId] = purchase.OrderId!;
            }
        });

    private static Task BuyDuringAsync(SpikeCluster cluster, ConcurrentBag<Purchase> purchases, TimeSpan window, string prefix, CancellationToken cancellationToken)
    {
        var ends = DateTime.UtcNow + window;
        return Parallel.ForEachAsync(Enumerable.Range(0, 1_000_000).TakeWhile(_ => DateTime.UtcNow < ends), Options(cancellationToken), async (buyer, token) =>
            purchases.Add(await SpikeCluster.BuyAsync(cluster.Replicas[buyer % cluster.Replicas.Count], $"{prefix}-{buyer}", token)));
    }

    /// <summary>
    /// Suspends Redis for <paramref name="duration"/> while buyers keep buying from the first replica, then resumes it
    /// (also when buying fails); returns what those buyers were answered.
    /// </summary>
    private static async Task<IReadOnlyCollection<Purchase>> BuyWhileRedisIsSuspendedAsync(SpikeCluster cluster, TimeSpan duration, CancellationToken cancellationToken)
    {
        await cluster.Redis.SuspendAsync();
        var stalled = new ConcurrentBag<Purchase>();
        var stallEnds = DateTime.UtcNow + duration;
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, MaxStalledBuyers).TakeWhile(_ => DateTime.UtcNow < stallEnds), Options(cancellationToken), async (buyer, token) =>
                stalled.Add(await SpikeCluster.BuyAsync(cluster.Replicas[0], $"stalled-{buyer}", token)));
            if (stallEnds - DateTime.UtcNow is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest, cancellationToken);
            }
        }
        finally
        {
            await cluster.Redis.ResumeAsync();
        }

        return stalled;
    }

    private static Task<JsonElement> GetSaleAsync(ApiProcess replica, CancellationToken cancellationToken) =>
        replica.Client.GetFromJsonAsync<JsonElement>($"/api/sales/{SpikeCluster.SaleId}", cancellationToken);

    private static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken };

    private static void Count(ConcurrentDictionary<string, int> answers, Purchase purchase) =>
        answers.AddOrUpdate(purchase.Status is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : "unanswered", 1, (_, count) => count + 1);

    private static string Describe(ConcurrentDictionary<string, int> answers) =>
        string.Join(", ", answers.OrderBy(entry => entry.Key).Select(entry => $"{entry.Key}: {entry.Value}"));
}
