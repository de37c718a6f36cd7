using System.Collections.Concurrent;
using System.Net;
using SpikeApp.Testing;
using StackExchange.Redis;

namespace SpikeApp.AppHost.Tests;

[Collection(OneAppHostAtATime.Name)]
public class SellOutTests
{
    private const int Replicas = 3, Total = 1000, Buyers = 5000, LateBuyers = 2000, Concurrency = 100;
    private const double BufferRatio = 0.2;
    private const string SaleId = "default";
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(6);

    /// <summary>The API's default <c>Spike:ReconcileInterval</c> and <c>Spike:RefillInterval</c>.</summary>
    private static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(2), RefillInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The commands of one sync (the script and what it runs inside Redis, then the sale directory's SADD): all a
    /// sold-out replica still sends.
    /// </summary>
    private static readonly string[] SyncCommands = ["evalsha", "hmget", "time", "zadd", "zremrangebyscore", "pexpire", "zcard", "sadd"];

    /// <summary>
    /// What the order processor sends while nothing is sold: stream polls, trims, the expiry script (and what it runs:
    /// the replicas' expiry checks send the same), and the ledger's check that each sale is open (HMGET, SCRIPT EXISTS, SADD).
    /// </summary>
    private static readonly string[] ProcessorCommands =
        ["smembers", "xreadgroup", "xautoclaim", "xack", "xinfo", "xpending", "xtrim", "xgroup", "evalsha", "time", "zrangebyscore",
         "hmget", "script|exists", "sadd", "xinfo|groups", "select"];

    /// <summary>The default <c>Orders:ExpiryInterval</c> and <c>Spike:ExpiryInterval</c>: the processor and every replica check the deadlines.</summary>
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task ThreeReplicasSellExactlyTheStock()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var cancellationToken = timeout.Token;
        await using var app = await SpikeAppHost.StartAsync(Replicas, Total, BufferRatio, cancellationToken);
        using var redis = await SpikeAppHost.ConnectRedisAsync(app, cancellationToken);
        using var api = app.CreateHttpClient(SpikeAppHost.Gateway);
        var before = await RedisStats.ReadAsync(redis);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        var statuses = await BuyAsync(api, Enumerable.Range(0, Buyers).Select(buyer => $"buyer-{buyer}"), cancellationToken);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        var afterSale = await RedisStats.ReadAsync(redis);
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Created) == Total, $"Answers: {string.Join(", ", statuses)}");
        Assert.Equal(Buyers - Total, statuses.GetValueOrDefault(HttpStatusCode.Conflict));
        Assert.Equal(2, statuses.Count);

        var db = redis.GetDatabase();
        Assert.Equal(Total, (long)await db.HashGetAsync(Key("sale"), "sold"));
        Assert.Equal(Total, await db.HashLengthAsync(Key("buyers")));
        Assert.Equal(Total, await db.HashLengthAsync(Key("orders")));
        Assert.Equal(Total, await SpikeAppHost.WaitForOrdersInPostgresAsync(app, SaleId, Total, cancellationToken));

        var soldByReplica = (await db.HashGetAllAsync(Key("sold-by-replica")))
            .ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value);
        Assert.Equal(Total, soldByReplica.Values.Sum());
        Assert.True(soldByReplica.Count(entry => entry.Value > 0) >= 2, $"Sales by replica: {string.Join(", ", soldByReplica)}");
        // Deductions: one per unit sold, plus at most the purchases in flight when Redis first said "sold out" to each
        // replica (then it stops asking). Syncs: each replica's refills (at most one per refill interval) and reconciles
        // (one per interval) while the sale ran. Together within the 1 + buffer calls per unit the design promises. Besides,
        // one expiry script per expiry interval from each replica and the processor, however many units are sold.
        var syncBudget = Replicas * (int)(Math.Ceiling(elapsed / RefillInterval) + Math.Ceiling(elapsed / ReconcileInterval) + 1);
        var expiryBudget = (Replicas + 1) * (int)(Math.Ceiling(elapsed / ExpiryInterval) + 1);
        Assert.InRange(afterSale.ScriptCalls - before.ScriptCalls, Total, Total + Concurrency + syncBudget + expiryBudget);
    }

    [Fact]
    public async Task OnceSoldOutEveryReplicaAnswersLateBuyersWithoutRedis()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var cancellationToken = timeout.Token;
        await using var app = await SpikeAppHost.StartAsync(Replicas, Total, BufferRatio, cancellationToken);
        using var redis = await SpikeAppHost.ConnectRedisAsync(app, cancellationToken);
        using var api = app.CreateHttpClient(SpikeAppHost.Gateway);
        var db = redis.GetDatabase();
        var statuses = await BuyAsync(api, Enumerable.Range(0, Buyers).Select(buyer => $"buyer-{buyer}"), cancellationToken);
        var sold = (long)await db.HashGetAsync(Key("sale"), "sold");
        Assert.True(sold == Total, $"Sold {sold} of {Total}; answers: {string.Join(", ", statuses)}");

        // Within one reconcile interval every replica has heard "sold out" from Redis, even one that sold nothing.
        await Task.Delay(ReconcileInterval + TimeSpan.FromSeconds(1), cancellationToken);
        // Read after the checks above, so the window below holds only the late buyers' traffic.
        var beforeLate = await RedisStats.ReadAsync(redis);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var lateStatuses = await BuyAsync(api, Enumerable.Range(0, LateBuyers).Select(buyer => $"late-{buyer}"), cancellationToken);

        var afterLate = await RedisStats.ReadAsync(redis);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Assert.Equal(LateBuyers, lateStatuses.GetValueOrDefault(HttpStatusCode.Conflict));
        Assert.Single(lateStatuses);
        // No purchase reached Redis (a deduction would have run HGET): the only commands sent are the replicas' periodic
        // syncs (one per interval each), the order processor's polls, everyone's expiry checks (one per expiry interval), and
        // "ping": the gateway probes each replica's /health every second, and /health pings Redis.
        var commandsSent = afterLate.CommandCalls.Where(entry => entry.Value != beforeLate.CallsTo(entry.Key)).Select(entry => entry.Key);
        Assert.Empty(commandsSent.Except([.. SyncCommands, .. ProcessorCommands, "info", "ping"]));
        var scriptBudget = Replicas * (int)(Math.Ceiling(elapsed / ReconcileInterval) + 1) + (Replicas + 1) * (int)(Math.Ceiling(elapsed / ExpiryInterval) + 1);
        Assert.InRange(afterLate.CallsTo("evalsha") - beforeLate.CallsTo("evalsha"), 0, scriptBudget);
        Assert.Equal(beforeLate.ConnectionsReceived, afterLate.ConnectionsReceived);
        Assert.Equal(Total, (long)await db.HashGetAsync(Key("sale"), "sold"));
    }

    private static RedisKey Key(string name) => $"spike:{{{SaleId}}}:{name}";

    /// <summary>One purchase per user id, with that buyer's token, <see cref="Concurrency"/> in flight at once; counts the answers by status.</summary>
    private static async Task<Dictionary<HttpStatusCode, int>> BuyAsync(HttpClient api, IEnumerable<string> userIds, CancellationToken cancellationToken)
    {
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        await Parallel.ForEachAsync(userIds, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (userId, token) =>
            {
                using var response = await api.BuyAsAsync(SaleId, userId, token);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
            });

        return new Dictionary<HttpStatusCode, int>(statuses);
    }
}
