using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpikeApp.Testing;
using Xunit.Abstractions;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// As long as Redis and one replica live, a sale with more buyers than stock ends with sold == total, whatever replicas
/// died, timed out or missed a message. Default settings (3 replicas, buffer 0.2) unless a test says otherwise.
/// </summary>
[Collection(nameof(FaultTests))]
public class SellEveryUnitTests(ITestOutputHelper output)
{
    private const int Total = 600, Concurrency = 32;
    private const double DefaultBuffer = 0.2;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ConvergenceLimit = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task TheSurvivorsSellTheShareOfAReplicaKilledBeforeTheSale() =>
        await SurvivorsSellEverythingAsync(killedBeforeTheSale: 1, "one replica killed before the sale");

    [Fact]
    public async Task TheSurvivorsSellTheShareOfAReplicaKilledMidSale()
    {
        await using var cluster = await SpikeCluster.StartAsync(replicas: 3, Total, DefaultBuffer);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var victim = cluster.Replicas[0];
        var crowd = new Crowd();

        var run = await MeasureAsync(cluster, () => crowd.BuyAsync(Crowd.Buyers("buyer", 10 * Total), buyer =>
        {
            if (crowd.Acknowledged.Count >= Total / 2 && victim.IsRunning)
            {
                lock (victim)
                {
                    if (victim.IsRunning)
                    {
                        victim.Kill();
                    }
                }
            }

            var alive = cluster.Replicas.Where(replica => replica.IsRunning).ToList();
            return alive[buyer % alive.Count];
        }, Concurrency, timeout.Token));

        await ReportAsync("one replica killed mid-sale", cluster, crowd, run);
        Assert.False(victim.IsRunning);
        Assert.Empty(crowd.UnexpectedAnswers.Except(["unanswered"]));
        Assert.Equal(Total, await cluster.SoldAsync());
        // A buyer whose request died with the replica may or may not have bought; only such buyers may lack an answer.
        Assert.InRange(crowd.Acknowledged.Count, Total - crowd.Answers.GetValueOrDefault("unanswered"), Total);
        await cluster.AssertInvariantsAsync(crowd.Acknowledged);
    }

    [Fact]
    public async Task TheLastReplicaOfThreeSellsEverything() =>
        await SurvivorsSellEverythingAsync(killedBeforeTheSale: 2, "two of three replicas killed");

    [Fact]
    public async Task AResetNoReplicaHearsOfReachesEveryReplicaWithinFiveSeconds()
    {
        await using var cluster = await SellOutAsync(total: 100);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var epoch = await cluster.EpochAsync();

        // What a reset does, minus its message: as if every replica missed it. Only the periodic check can tell them.
        var reset = cluster.Redis.Database.CreateTransaction();
        _ = reset.KeyDeleteAsync([SpikeCluster.Key("buyers"), SpikeCluster.Key("orders"), SpikeCluster.Key("stream"), SpikeCluster.Key("sold-by-replica")]);
        _ = reset.HashSetAsync(SpikeCluster.Key("sale"), [new("sold", 0), new("epoch", epoch + 1)]);
        Assert.True(await reset.ExecuteAsync());

        var converged = await Task.WhenAll(cluster.Replicas.Select(replica => TimeUntilSellingAsync(replica, "after-silent-reset", timeout.Token)));

        output.WriteLine($"Silent reset: every replica sold again after {string.Join(", ", converged.Select(Seconds))}");
        Assert.All(converged, elapsed => Assert.InRange(elapsed, TimeSpan.Zero, ConvergenceLimit));
    }

    [Fact]
    public async Task AResetWhilePubSubIsCutReachesEveryReplicaWithinFiveSeconds()
    {
        await using var cluster = await SellOutAsync(total: 100);
        using var timeout = new CancellationTokenSource(TestTimeout);

        var cut = await cluster.Redis.Server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await SpikeCluster.ResetAsync(cluster.Replicas[0], 100, timeout.Token);
        var converged = await Task.WhenAll(cluster.Replicas.Select(replica => TimeUntilSellingAsync(replica, "after-reset", timeout.Token)));

        output.WriteLine($"Reset with {cut} pub/sub connections cut: every replica sold again after {string.Join(", ", converged.Select(Seconds))}");
        Assert.True((long)cut >= cluster.Replicas.Count, $"Only {cut} pub/sub connections were cut.");
        Assert.All(converged, elapsed => Assert.InRange(elapsed, TimeSpan.Zero, ConvergenceLimit));
    }

    [Fact]
    public async Task WhenRedisComesBackEmptyTheReplicasNeverRecreateTheSale()
    {
        // No ledger here: only the order processor may restore the sale (LedgerTests), and replicas must not sell it afresh.
        await using var cluster = await SpikeCluster.StartAsync(replicas: 3, Total, DefaultBuffer);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var before = new Crowd();
        await before.BuyAsync(Crowd.Buyers("before", 100), buyer => cluster.Replicas[buyer % 3], Concurrency, timeout.Token);

        cluster.Redis.Kill();
        cluster.Redis.DeleteData();
        var unhealthy = await Task.WhenAll(cluster.Replicas.Select(replica => TimeUntilAsync(() => HealthAsync(replica, HttpStatusCode.ServiceUnavailable, timeout.Token), timeout.Token)));
        await cluster.Redis.StartAsync();
        // Back, reachable, and honest about it: degraded (200) while the sale is restoring.
        var reachable = await Task.WhenAll(cluster.Replicas.Select(replica => TimeUntilAsync(() => HealthAsync(replica, HttpStatusCode.OK, timeout.Token), timeout.Token)));
        var after = new Crowd();
        await after.BuyAsync(Crowd.Buyers("before", 100).Concat(Crowd.Buyers("after", 300)), buyer => cluster.Replicas[buyer % 3], Concurrency, timeout.Token);
        using var restoring = await cluster.Replicas[0].Client.BuyAsAsync(SpikeCluster.SaleId, "one-more", timeout.Token);

        output.WriteLine($"Redis restarted empty: /health unhealthy after {string.Join(", ", unhealthy.Select(Seconds))}; reachable again after " +
            $"{string.Join(", ", reachable.Select(Seconds))}; then {after.Describe()}");
        Assert.Equal(100, before.Acknowledged.Count);
        Assert.All(unhealthy, elapsed => Assert.InRange(elapsed, TimeSpan.Zero, ConvergenceLimit));
        Assert.Empty(after.Acknowledged);
        Assert.Equal(["503"], after.Answers.Keys);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, restoring.StatusCode);
        Assert.Equal("urn:spikeapp:problem:sale-restoring", (await restoring.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("type").GetString());
        Assert.False(await cluster.Redis.Database.KeyExistsAsync(SpikeCluster.Key("sale")));
    }

    [Fact]
    public async Task AfterAThreeSecondRedisStallRetryingBuyersStillBuyEveryUnit()
    {
        const int total = 300, buyersInFlight = 100;
        await using var cluster = await SpikeCluster.StartAsync(replicas: 2, total, DefaultBuffer, redisTimeoutMilliseconds: 1000);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var crowd = new Crowd();
        var stall = Task.Run(async () =>
        {
            while (crowd.Acknowledged.Count < total / 3)
            {
                await Task.Delay(10, timeout.Token);
            }

            await cluster.Redis.SuspendAsync();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(3), timeout.Token);
            }
            finally
            {
                await cluster.Redis.ResumeAsync();
            }
        }, timeout.Token);

        var run = await MeasureAsync(cluster, () => crowd.BuyRetryingAsync(Crowd.Buyers("buyer", 10 * total), attempt => cluster.Replicas[attempt % 2], buyersInFlight, timeout.Token));
        await stall;

        await ReportAsync("a 3 s Redis stall under 100 retrying buyers", cluster, crowd, run);
        Assert.Empty(crowd.UnexpectedAnswers);
        Assert.True(crowd.Answers.GetValueOrDefault("503") > 0, "The stall answered no purchase with 503: it did not happen during the sale.");
        Assert.Equal(total, await cluster.SoldAsync());
        Assert.Equal(total, crowd.Acknowledged.Count);
        await cluster.AssertInvariantsAsync(crowd.Acknowledged);
    }

    /// <summary>Three replicas at default settings, <paramref name="killedBeforeTheSale"/> of them SIGKILLed; the rest sell.</summary>
    private async Task SurvivorsSellEverythingAsync(int killedBeforeTheSale, string scenario)
    {
        await using var cluster = await SpikeCluster.StartAsync(replicas: 3, Total, DefaultBuffer);
        using var timeout = new CancellationTokenSource(TestTimeout);
        foreach (var victim in cluster.Replicas.Take(killedBeforeTheSale))
        {
            victim.Kill();
        }

        var survivors = cluster.Replicas.Skip(killedBeforeTheSale).ToList();
        var crowd = new Crowd();

        var run = await MeasureAsync(cluster, () => crowd.BuyAsync(Crowd.Buyers("buyer", 10 * Total), buyer => survivors[buyer % survivors.Count], Concurrency, timeout.Token));

        await ReportAsync(scenario, cluster, crowd, run);
        Assert.Empty(crowd.UnexpectedAnswers);
        Assert.Equal(Total, await cluster.SoldAsync());
        Assert.Equal(Total, crowd.Acknowledged.Count);
        await cluster.AssertInvariantsAsync(crowd.Acknowledged);
    }

    /// <summary>A cluster at default settings whose sale sold out, every replica having heard "sold out" from Redis.</summary>
    private static async Task<SpikeCluster> SellOutAsync(int total)
    {
        var cluster = await SpikeCluster.StartAsync(replicas: 3, total, DefaultBuffer);
        var crowd = new Crowd();
        await crowd.BuyAsync(Crowd.Buyers("first", 10 * total), buyer => cluster.Replicas[buyer % 3], Concurrency, CancellationToken.None);
        Assert.Equal(total, await cluster.SoldAsync());
        foreach (var replica in cluster.Replicas)
        {
            // Each replica now answers from memory, without asking Redis.
            Assert.Equal(HttpStatusCode.Conflict, (await SpikeCluster.BuyAsync(replica, $"late-{replica.ReplicaId}", CancellationToken.None)).Status);
        }

        return cluster;
    }

    /// <summary>How long until a purchase by a new buyer on <paramref name="replica"/> succeeds (one try every 100 ms).</summary>
    private static Task<TimeSpan> TimeUntilSellingAsync(ApiProcess replica, string prefix, CancellationToken cancellationToken)
    {
        var attempt = 0;
        return TimeUntilAsync(async () =>
            (await SpikeCluster.BuyAsync(replica, $"{prefix}-{replica.ReplicaId}-{attempt++}", cancellationToken)).Status == HttpStatusCode.Created, cancellationToken);
    }

    private static async Task<bool> HealthAsync(ApiProcess replica, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var response = await replica.Client.GetAsync("/health", cancellationToken);
        return response.StatusCode == expected;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms, for at most twice the convergence limit.</summary>
    private static async Task<TimeSpan> TimeUntilAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition() && Stopwatch.GetElapsedTime(started) < 2 * ConvergenceLimit)
        {
            await Task.Delay(100, cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<(TimeSpan Elapsed, long ScriptCalls)> MeasureAsync(SpikeCluster cluster, Func<Task> load)
    {
        var before = await RedisStats.ReadAsync(cluster.Redis.Connection);
        var started = Stopwatch.GetTimestamp();
        await load();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = await RedisStats.ReadAsync(cluster.Redis.Connection);
        return (elapsed, after.ScriptCalls - before.ScriptCalls);
    }

    private async Task ReportAsync(string scenario, SpikeCluster cluster, Crowd crowd, (TimeSpan Elapsed, long ScriptCalls) run) =>
        output.WriteLine($"{scenario}: sold {await cluster.SoldAsync()} of {cluster.Total} in {Seconds(run.Elapsed)}; " +
            $"{run.ScriptCalls} EVALSHA calls (deductions and syncs); answers {crowd.Describe()}");

    private static string Seconds(TimeSpan elapsed) => $"{elapsed.TotalSeconds:0.0} s";
}
