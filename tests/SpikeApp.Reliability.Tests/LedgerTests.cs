using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpikeApp.Testing;
using Xunit.Abstractions;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// Redis decides, PostgreSQL remembers: whatever Redis loses (its data, a newer AOF, a key, the sale directory), no
/// unit is sold twice, every buyer keeps the order they were told of, and the sale still sells exactly its total.
/// Real redis-server, PostgreSQL, replicas and order processors.
/// </summary>
[Collection(nameof(FaultTests))]
public class LedgerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan RestoreLimit = TimeSpan.FromSeconds(15);

    public enum Loss
    {
        /// <summary>SIGKILL, the AOF deleted, started again empty: a lost disk.</summary>
        DataDeleted,

        /// <summary>FLUSHALL on a running server: every key gone at once.</summary>
        FlushAll,
    }

    [Theory]
    [InlineData(Loss.DataDeleted)]
    [InlineData(Loss.FlushAll)]
    public async Task ASaleRedisLostIsRestoredFromTheLedgerAndNothingIsSoldTwice(Loss loss)
    {
        const int total = 150, buyers = 100, payers = 60;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, paymentWindow: "00:00:15", replicas: 3);
        var replicas = orders.Cluster.Replicas;
        var before = new Crowd();
        await before.BuyAsync(Crowd.Buyers("early", buyers), buyer => replicas[buyer % replicas.Count], 16, timeout.Token);
        await PayAsync(orders, before.Acknowledged.Take(payers), timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        var epochBefore = await orders.Cluster.EpochAsync();

        await LoseAsync(orders.Cluster.Redis, loss);
        var (restoredAfter, meanwhile) = await WaitUntilEarlyBuyerIsServedAsync(orders, before, epochBefore, timeout.Token);

        output.WriteLine($"{loss}: restored within {restoredAfter.TotalSeconds:0.00} s; answers meanwhile {meanwhile}");
        // A sale made as the restore ended reaches PostgreSQL through the stream, a moment after its buyer's answer.
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        Assert.Equal(await orders.LiveOrdersInPostgresAsync(), await orders.Cluster.SoldAsync());
        Assert.Equal(buyers + meanwhile.NewSales, await orders.Cluster.SoldAsync());
        Assert.True(await orders.Cluster.EpochAsync() > epochBefore);
        await AssertIncarnationsAsync(orders, ["created", "restored"], timeout.Token);
        await AssertEveryBuyerKeepsTheirOrderAsync(orders, before, timeout.Token);

        // The 40 unpaid restored orders still expire with their deadline; the 60 paid stay paid.
        await WaitForAsync(async () => (await orders.RedisStatusesAsync()).Values.Count(status => status == "expired") == buyers - payers, TimeSpan.FromSeconds(30), timeout.Token);
        Assert.Equal(payers, (await orders.RedisStatusesAsync()).Values.Count(status => status == "paid"));

        await SellOutAsync(orders, timeout.Token);
        await AssertLedgerHoldsExactlyTheTotalAsync(orders, total, timeout.Token);
    }

    [Fact]
    public async Task LosingRedisWhileTheStreamLagsLosesOnlyWhatTheLedgerNeverStored()
    {
        const int total = 2000;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, replicas: 2);
        var replicas = orders.Cluster.Replicas;
        // A warm processor first, as in production: the first orders it stores cost it far more than the next ones.
        var warm = new Crowd();
        await warm.BuyAsync(Crowd.Buyers("warm", 200), buyer => replicas[buyer % replicas.Count], 32, timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        var crowd = new Crowd();

        // Buyers keep coming while Redis dies under them.
        var buying = crowd.BuyAsync(Crowd.Buyers("buyer", 1200), buyer => replicas[buyer % replicas.Count], 32, timeout.Token);
        await WaitForAsync(() => Task.FromResult(crowd.Acknowledged.Count >= 400), TimeSpan.FromSeconds(60), timeout.Token);
        orders.Cluster.Redis.Kill();
        var acknowledgedAtLoss = crowd.Acknowledged.Values.ToHashSet(StringComparer.Ordinal);
        orders.Cluster.Redis.DeleteData();
        await orders.Cluster.Redis.StartAsync();
        await buying;

        await WaitForAsync(async () => await orders.Cluster.Redis.Database.KeyExistsAsync(SpikeCluster.Key("sale")), RestoreLimit, timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        var stored = await orders.PostgresStatusesAsync();
        var lost = crowd.Acknowledged.Values.Where(orderId => !stored.ContainsKey(orderId)).ToList();
        output.WriteLine($"{acknowledgedAtLoss.Count} orders acknowledged when Redis died, {lost.Count} of them not yet in PostgreSQL (the stream's " +
            $"lag): lost; all answers {crowd.Describe()}");

        // Only what the ledger had not stored when Redis died is lost; it is gone from Redis too, so its buyers may buy again.
        Assert.All(lost, orderId => Assert.Contains(orderId, acknowledgedAtLoss));
        Assert.Equal(await orders.LiveOrdersInPostgresAsync(), await orders.Cluster.SoldAsync());
        await AssertIncarnationsAsync(orders, ["created", "restored"], timeout.Token);
        await SellOutAsync(orders, timeout.Token);
        await AssertLedgerHoldsExactlyTheTotalAsync(orders, total, timeout.Token);
    }

    [Fact]
    public async Task ARedisBackFromAnOlderAofAtTheSameEpochIsRestoredBeforeItSellsAgain()
    {
        const int total = 150;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, replicas: 2);
        var replicas = orders.Cluster.Replicas;
        var redis = orders.Cluster.Redis;
        var first = new Crowd();
        await first.BuyAsync(Crowd.Buyers("first", 50), buyer => replicas[buyer % replicas.Count], 8, timeout.Token);
        var backup = CopyDirectory(redis.DataDirectory, Path.Combine(Path.GetTempPath(), "spike-aof-" + Guid.NewGuid().ToString("N")));
        var second = new Crowd();
        await second.BuyAsync(Crowd.Buyers("second", 50), buyer => replicas[buyer % replicas.Count], 8, timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        var epoch = await orders.Cluster.EpochAsync();

        try
        {
            redis.Kill();
            redis.DeleteData();
            CopyDirectory(backup, redis.DataDirectory);
            await redis.StartAsync();
        }
        finally
        {
            Directory.Delete(backup, recursive: true);
        }

        // The 50 buyers the old file forgot still hold their orders: served, never sold again.
        var (restoredAfter, meanwhile) = await WaitUntilEarlyBuyerIsServedAsync(orders, second, epoch, timeout.Token);

        output.WriteLine($"Old AOF (sold 50 of 100) restored within {restoredAfter.TotalSeconds:0.00} s; answers meanwhile {meanwhile}");
        Assert.Equal(100 + meanwhile.NewSales, await orders.Cluster.SoldAsync());
        Assert.True(await orders.Cluster.EpochAsync() > epoch);
        await AssertIncarnationsAsync(orders, ["created", "restored"], timeout.Token);
        await AssertEveryBuyerKeepsTheirOrderAsync(orders, first, timeout.Token);
        await AssertEveryBuyerKeepsTheirOrderAsync(orders, second, timeout.Token);
        await SellOutAsync(orders, timeout.Token);
        await AssertLedgerHoldsExactlyTheTotalAsync(orders, total, timeout.Token);
    }

    [Fact]
    public async Task ARestoredSaleKeepsItsOpeningAndClosingAndStillSellsNothingEarly()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total: 20, replicas: 2);
        var replicas = orders.Cluster.Replicas;
        var db = orders.Cluster.Redis.Database;
        // Whole milliseconds: Redis keeps them so.
        var opensAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds());
        var closesAt = opensAt.AddHours(1);
        await SpikeCluster.ResetAsync(replicas[0], 20, timeout.Token, opensAt, closesAt);
        await AssertIncarnationsAsync(orders, ["created", "reset"], timeout.Token);
        var epochBefore = await orders.Cluster.EpochAsync();

        await LoseAsync(orders.Cluster.Redis, Loss.FlushAll);
        var watched = Stopwatch.StartNew();
        while (!await db.KeyExistsAsync(SpikeCluster.Key("sale")))
        {
            Assert.True(watched.Elapsed < RestoreLimit, "The sale was never restored.");
            await Task.Delay(50, timeout.Token);
        }

        var restored = await db.HashGetAsync(SpikeCluster.Key("sale"), ["opensAt", "closesAt", "epoch"]);
        Assert.Equal((opensAt.ToUnixTimeMilliseconds(), closesAt.ToUnixTimeMilliseconds()), ((long)restored[0], (long)restored[1]));
        Assert.True((long)restored[2] > epochBefore);
        await AssertIncarnationsAsync(orders, ["created", "reset", "restored"], timeout.Token);

        // Every replica learns the restored schedule and refuses, and Redis would refuse too: nothing is sold.
        foreach (var replica in replicas)
        {
            Purchase purchase;
            while ((purchase = await SpikeCluster.BuyAsync(replica, "early-bird", timeout.Token)).Status == HttpStatusCode.ServiceUnavailable)
            {
                await Task.Delay(50, timeout.Token);
            }

            Assert.Equal(HttpStatusCode.Conflict, purchase.Status);
            Assert.InRange(purchase.RetryAfter!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        }

        Assert.Equal(0, await orders.Cluster.SoldAsync());
    }

    [Fact]
    public async Task ThreeReplicasAndTwoProcessorsSeeingTheLossAtOnceMakeOneRestoredIncarnation()
    {
        const int total = 100;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, replicas: 3, ledgerCheckInterval: "00:00:00.050");
        using var second = await orders.StartProcessorAsync("orders-2");
        var replicas = orders.Cluster.Replicas;
        var crowd = new Crowd();
        await crowd.BuyAsync(Crowd.Buyers("buyer", 40), buyer => replicas[buyer % replicas.Count], 8, timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        await LoseAsync(orders.Cluster.Redis, Loss.FlushAll);
        var racing = new Crowd();
        await racing.BuyRetryingAsync(crowd.Acknowledged.Keys, buyer => replicas[buyer % replicas.Count], 12, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);

        var restoredInStream = (await orders.Cluster.Redis.Database.StreamRangeAsync(SpikeCluster.Key("stream")))
            .Count(entry => entry["began"] == "restored");
        output.WriteLine($"Buyers retrying through the restore: {racing.Describe()}");
        Assert.Equal(1, restoredInStream);
        await AssertIncarnationsAsync(orders, ["created", "restored"], timeout.Token);
        Assert.Equal(crowd.Acknowledged.OrderBy(order => order.Key).ToList(), racing.Acknowledged.OrderBy(order => order.Key).ToList());
        Assert.Equal(40, await orders.Cluster.SoldAsync());
    }

    [Fact]
    public async Task WithOnlyTheSaleHashDeletedNoUnitOfTheOldIncarnationComesBackAndTheTotalHolds()
    {
        const int total = 60;
        using var timeout = new CancellationTokenSource(TestTimeout);
        // The ledger looks seldom, so expiry most likely meets the sale without its hash first.
        await using var orders = await OrdersCluster.StartAsync(total, paymentWindow: "00:00:01", replicas: 2, ledgerCheckInterval: "00:00:05");
        var replicas = orders.Cluster.Replicas;
        var crowd = new Crowd();
        await crowd.BuyAsync(Crowd.Buyers("buyer", 30), buyer => replicas[buyer % replicas.Count], 8, timeout.Token);
        var db = orders.Cluster.Redis.Database;

        await db.KeyDeleteAsync(SpikeCluster.Key("sale"));
        // Past the deadlines, with expiry running every 0.2 s: nothing may expire, nor bring a hash back.
        var watched = Stopwatch.StartNew();
        while (!await db.KeyExistsAsync(SpikeCluster.Key("sale")))
        {
            Assert.True(watched.Elapsed < RestoreLimit, "The sale was never restored.");
            Assert.Equal(30, await db.SortedSetLengthAsync(SpikeCluster.Key("deadlines")));
            await Task.Delay(50, timeout.Token);
        }

        var restored = (await db.StreamRangeAsync(SpikeCluster.Key("stream"))).Single(entry => entry["began"] == "restored");
        output.WriteLine($"Restored {watched.Elapsed.TotalSeconds:0.0} s after the hash was deleted, holding {restored["sold"]} orders");
        Assert.Equal(30, (long)restored["sold"]);
        // Restored as pending past their deadlines, they expire now, in the new incarnation, once each.
        await WaitForAsync(async () => await orders.Cluster.SoldAsync() == 0, TimeSpan.FromSeconds(10), timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        Assert.Equal(30, await orders.PostgresScalarAsync("SELECT count(*) FROM orders WHERE status = 'expired'"));
        await SellOutAsync(orders, timeout.Token);
        await AssertLedgerHoldsExactlyTheTotalAsync(orders, total, timeout.Token);
    }

    [Fact]
    public async Task AResetWhileTheProcessorIsDownVoidsThePendingKeepsThePaidAndCannotBeRepeated()
    {
        const int total = 20;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, replicas: 2);
        var replica = orders.Cluster.Replicas[0];
        orders.Processor.Kill();
        var crowd = new Crowd();
        await crowd.BuyAsync(Crowd.Buyers("buyer", 10), _ => replica, 4, timeout.Token);
        await PayAsync(orders, crowd.Acknowledged.OrderBy(order => order.Key).Take(5), timeout.Token);
        using var read = await replica.Client.GetAsync($"/api/sales/{SpikeCluster.SaleId}", timeout.Token);
        var oldETag = read.Headers.ETag!;

        await SpikeCluster.ResetAsync(replica, total, timeout.Token);
        using var retried = await PutAsync(replica, total, oldETag, timeout.Token);
        await orders.Processor.StartAsync();
        await WaitForAsync(async () => await orders.PostgresCountAsync() == 10
            && await orders.PostgresScalarAsync("SELECT count(*) FROM orders WHERE status = 'pending'") == 0, OrdersCluster.DrainLimit, timeout.Token);

        Assert.Equal(HttpStatusCode.PreconditionFailed, retried.StatusCode);
        Assert.Equal(5, await orders.PostgresScalarAsync("SELECT count(*) FROM orders WHERE status = 'paid'"));
        Assert.Equal(5, await orders.PostgresScalarAsync("SELECT count(*) FROM orders WHERE status = 'voided'"));
        await AssertIncarnationsAsync(orders, ["created", "reset"], timeout.Token);
        Assert.Equal(0, await orders.Cluster.SoldAsync());
        // A buyer whose order was voided buys in the new round; one who paid may too: it is a new round.
        Assert.Equal(HttpStatusCode.Created, (await SpikeCluster.BuyAsync(replica, "buyer-0", timeout.Token)).Status);
    }

    [Fact]
    public async Task ASaleDroppedFromTheDirectoryStillReachesTheLedger()
    {
        const int total = 100;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, replicas: 2);
        var replicas = orders.Cluster.Replicas;
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        await orders.Cluster.Redis.Database.SetRemoveAsync("spike:sales", SpikeCluster.SaleId);
        var crowd = new Crowd();
        await crowd.BuyAsync(Crowd.Buyers("buyer", 30), buyer => replicas[buyer % replicas.Count], 8, timeout.Token);
        var agreed = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        output.WriteLine($"PostgreSQL agreed {agreed.TotalSeconds:0.0} s after the last purchase");
        Assert.InRange(agreed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(30, await orders.PostgresCountAsync());
    }

    private static async Task LoseAsync(Testing.RedisServerProcess redis, Loss loss)
    {
        if (loss == Loss.FlushAll)
        {
            await redis.Server.FlushAllDatabasesAsync();
            return;
        }

        redis.Kill();
        redis.DeleteData();
        await redis.StartAsync();
    }

    /// <summary>
    /// Asks for an early buyer's order until a replica serves it again, a new buyer's purchase each round too; returns
    /// how long that took and the answers given meanwhile. A new buyer's order must be of an incarnation after
    /// <paramref name="lostEpoch"/>: nothing is sold before the restore.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, Answers Meanwhile)> WaitUntilEarlyBuyerIsServedAsync(
        OrdersCluster orders, Crowd early, long lostEpoch, CancellationToken cancellationToken)
    {
        var (userId, orderId) = early.Acknowledged.OrderBy(order => order.Key).First();
        var answers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var started = Stopwatch.StartNew();
        for (var round = 0; ; round++)
        {
            var replica = orders.Cluster.Replicas[round % orders.Cluster.Replicas.Count];
            var again = await SpikeCluster.BuyAsync(replica, userId, cancellationToken);
            var stranger = again.Status == HttpStatusCode.OK ? null : await SpikeCluster.BuyAsync(replica, $"meanwhile-{round}", cancellationToken);
            foreach (var status in new[] { again.Status, stranger?.Status })
            {
                var key = status is { } code ? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer";
                answers[key] = answers.GetValueOrDefault(key) + (stranger is null && status is null ? 0 : 1);
            }

            if (stranger is { Status: HttpStatusCode.Created, OrderId: { } sold })
            {
                using var answer = await replica.Client.GetOrderAsAsync(SpikeCluster.SaleId, sold, stranger.UserId, cancellationToken);
                using var order = JsonDocument.Parse(await answer.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cancellationToken));
                Assert.True(order.RootElement.GetProperty("epoch").GetInt64() > lostEpoch, $"Order {sold} was sold before the restore.");
            }

            if (again.Status == HttpStatusCode.OK)
            {
                Assert.Equal(orderId, again.OrderId);
                return (started.Elapsed, new Answers(answers));
            }

            Assert.True(started.Elapsed < RestoreLimit, $"Not restored after {RestoreLimit}: {string.Join(", ", answers)}");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>The answers given while a restore ran, by status; the new buyers' sales among them came after it.</summary>
    private sealed record Answers(SortedDictionary<string, int> ByStatus)
    {
        public int NewSales => ByStatus.GetValueOrDefault("201");

        public override string ToString() => string.Join(", ", ByStatus.Select(answer => $"{answer.Key}: {answer.Value}"));
    }

    /// <summary>The ledger records the incarnations as the stream brings them: waits until it holds <paramref name="expected"/>.</summary>
    private static async Task AssertIncarnationsAsync(OrdersCluster orders, string[] expected, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        List<string> recorded;
        while (!(recorded = await orders.IncarnationsAsync()).SequenceEqual(expected) && started.Elapsed < OrdersCluster.DrainLimit)
        {
            await Task.Delay(50, cancellationToken);
        }

        Assert.Equal(expected, recorded);
    }

    private static async Task AssertEveryBuyerKeepsTheirOrderAsync(OrdersCluster orders, Crowd crowd, CancellationToken cancellationToken)
    {
        var replicas = orders.Cluster.Replicas;
        var index = 0;
        foreach (var (userId, orderId) in crowd.Acknowledged)
        {
            var replica = replicas[index++ % replicas.Count];
            var again = await SpikeCluster.BuyAsync(replica, userId, cancellationToken);
            // A replica may still be catching up with the restore; a client retries a 503 as Retry-After says.
            for (var retry = 0; again.Status == HttpStatusCode.ServiceUnavailable && retry < 10; retry++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                again = await SpikeCluster.BuyAsync(replica, userId, cancellationToken);
            }

            Assert.Equal((HttpStatusCode.OK, orderId), (again.Status!.Value, again.OrderId!));
        }
    }

    private static async Task PayAsync(OrdersCluster orders, IEnumerable<KeyValuePair<string, string>> buyers, CancellationToken cancellationToken)
    {
        foreach (var (userId, orderId) in buyers)
        {
            using var paid = await orders.Cluster.Replicas[0].Client.PayAsAsync(SpikeCluster.SaleId, orderId, userId, "pay-" + userId, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }
    }

    /// <summary>New buyers until the sale is sold out, each retrying a 503 as the API asks.</summary>
    private static async Task SellOutAsync(OrdersCluster orders, CancellationToken cancellationToken)
    {
        var replicas = orders.Cluster.Replicas;
        var crowd = new Crowd();
        await crowd.BuyRetryingAsync(Crowd.Buyers("late", orders.Cluster.Total), buyer => replicas[buyer % replicas.Count], 16, cancellationToken);
        Assert.Equal(orders.Cluster.Total, await orders.Cluster.SoldAsync());
    }

    /// <summary>Once PostgreSQL has caught up: its live orders are exactly the total, and no buyer holds two in a round.</summary>
    private static async Task AssertLedgerHoldsExactlyTheTotalAsync(OrdersCluster orders, int total, CancellationToken cancellationToken)
    {
        await orders.WaitUntilPostgresAgreesAsync(cancellationToken);
        Assert.Equal(total, await orders.LiveOrdersInPostgresAsync());
        Assert.Equal(0, await orders.BuyersWithTwoLiveOrdersAsync());
        using var sale = JsonDocument.Parse(await orders.Cluster.Replicas[0].Client.GetStringAsync($"/api/sales/{SpikeCluster.SaleId}", cancellationToken));
        Assert.True(sale.RootElement.GetProperty("soldOut").GetBoolean());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(started.Elapsed < limit, $"Not so after {limit}.");
            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<HttpResponseMessage> PutAsync(ApiProcess replica, int total, System.Net.Http.Headers.EntityTagHeaderValue ifMatch,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/sales/{SpikeCluster.SaleId}") { Content = JsonContent.Create(new { total }) };
        request.Headers.Add("X-Admin-Key", SpikeCluster.AdminKey);
        request.Headers.IfMatch.Add(ifMatch);
        return await replica.Client.SendAsync(request, cancellationToken);
    }

    private static string CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }

        return to;
    }
}
