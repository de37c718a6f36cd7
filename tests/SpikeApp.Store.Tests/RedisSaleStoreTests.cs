using SpikeApp.Contracts.Orders;
using StackExchange.Redis;

namespace SpikeApp.Store.Tests;

[Collection(SharedRedis.Name)]
public class RedisSaleStoreTests(RedisServerFixture redis)
{
    private readonly RedisSaleStore _store = new(redis.Connection, TimeSpan.FromSeconds(10));
    private readonly IDatabase _db = redis.Connection.GetDatabase();

    [Fact]
    public async Task ThousandConcurrentBuyersOfAHundredUnitsGetExactlyAHundredOrders()
    {
        var sale = await CreateAsync(total: 100);
        using var start = new ManualResetEventSlim();

        var buyers = Enumerable.Range(0, 1000).Select(buyer => Task.Run(async () =>
        {
            start.Wait();
            return await DeductAsync(sale, $"user-{buyer}", "replica-a");
        })).ToList();
        start.Set();
        var replies = await Task.WhenAll(buyers);

        Assert.Equal(100, replies.Count(reply => reply.Status == DeductionStatus.Created));
        Assert.Equal(900, replies.Count(reply => reply.Status == DeductionStatus.SoldOut));
        Assert.Equal(100, replies.Where(reply => reply.Status == DeductionStatus.Created).Select(reply => reply.OrderId).Distinct().Count());
        var keys = sale.Keys;
        Assert.Equal(100, (long)await _db.HashGetAsync(keys.Sale, "sold"));
        Assert.Equal(100, await _db.HashLengthAsync(keys.Buyers));
        Assert.Equal(100, await _db.HashLengthAsync(keys.Orders));
        // The round's beginning, then one entry per order.
        Assert.Equal(101, await _db.StreamLengthAsync(keys.Stream));
        Assert.Equal(100, (long)await _db.HashGetAsync(keys.SoldByReplica, "replica-a"));
    }

    [Fact]
    public async Task TheSameBuyerTwiceGetsTheSameOrderAndOneUnit()
    {
        var sale = await CreateAsync(total: 5);

        var first = await DeductAsync(sale, "alice", "r1");
        var second = await DeductAsync(sale, "alice", "r2");

        Assert.Equal(DeductionStatus.Created, first.Status);
        Assert.Equal(DeductionStatus.Existing, second.Status);
        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Equal(1, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
    }

    [Fact]
    public async Task ASaleNeverOpenedHereSellsNothing()
    {
        var sale = new Sale(SaleKeys.For(NewSaleId()), Epoch: 1);

        var reply = await DeductAsync(sale, "alice", "r1");

        Assert.Equal(DeductionStatus.Closed, reply.Status);
        Assert.Null(await _store.GetAsync(sale.SaleId));
    }

    [Fact]
    public async Task AnOpenSaleRedisLostIsNoSale()
    {
        var sale = await CreateAsync(total: 5);
        await _db.KeyDeleteAsync(sale.Keys.Sale);

        var reply = await DeductAsync(sale, "alice", "r1");

        Assert.Equal(DeductionStatus.NoSale, reply.Status);
        Assert.Null(await _store.GetAsync(sale.SaleId));
    }

    [Fact]
    public async Task WhenSoldEqualsTotalTheNextBuyerIsSoldOut()
    {
        // The seed's check (total >= sold) let a buyer through here and sold total + 1.
        var sale = await CreateAsync(total: 1);

        var first = await DeductAsync(sale, "alice", "r1");
        var second = await DeductAsync(sale, "bob", "r1");

        Assert.Equal(DeductionStatus.Created, first.Status);
        Assert.Equal(DeductionStatus.SoldOut, second.Status);
        var state = (await _store.GetAsync(sale.SaleId))!.Value;
        Assert.Equal(1, state.Sold);
        Assert.True(state.SoldOut);
    }

    [Fact]
    public async Task BuyerWhoAlreadyHoldsAnOrderGetsItBackAfterSellOut()
    {
        var sale = await CreateAsync(total: 1);
        var bought = await DeductAsync(sale, "alice", "r1");

        var retried = await DeductAsync(sale, "alice", "r1");

        Assert.Equal(DeductionStatus.Existing, retried.Status);
        Assert.Equal(bought.OrderId, retried.OrderId);
    }

    [Fact]
    public async Task CreatingAnExistingSaleNeverResetsIt()
    {
        var sale = await CreateAsync(total: 10);
        await DeductAsync(sale, "alice", "r1");
        await DeductAsync(sale, "bob", "r1");

        var again = await _store.BeginAsync(sale.SaleId, 500, expectedEpoch: null);

        Assert.Equal(new SaleBeginning(BeginOutcome.AlreadyExists, null, sale.Epoch), again);
        Assert.Equal((10, 2, sale.Epoch), Summary(await _store.GetAsync(sale.SaleId)));
    }

    [Fact]
    public async Task AResetOfTheEpochReadStartsANewEpochThatMakesTheOldOneStale()
    {
        var sale = await CreateAsync(total: 10);
        await DeductAsync(sale, "alice", "r1");

        var reset = await _store.BeginAsync(sale.SaleId, 3, expectedEpoch: sale.Epoch);
        var stale = await DeductAsync(sale, "alice", "r1");

        Assert.Equal(BeginOutcome.Began, reset.Outcome);
        Assert.Equal((3, 0), (reset.State!.Value.Total, reset.State.Value.Sold));
        Assert.True(reset.State.Value.Epoch > sale.Epoch, $"Epoch {reset.State.Value.Epoch} after a reset of epoch {sale.Epoch}.");
        Assert.Equal(reset.State.Value.Epoch, reset.State.Value.Round);
        Assert.Equal(DeductionStatus.EpochChanged, stale.Status);
    }

    [Fact]
    public async Task AResetOfAnotherEpochChangesNothing()
    {
        var sale = await CreateAsync(total: 10);
        await DeductAsync(sale, "alice", "r1");
        var reset = await _store.BeginAsync(sale.SaleId, 10, expectedEpoch: sale.Epoch);

        // The first reset's answer was lost and it is retried: the orders made since must survive.
        var bought = await DeductAsync(sale with { Epoch = reset.State!.Value.Epoch }, "bob", "r1");
        var retried = await _store.BeginAsync(sale.SaleId, 10, expectedEpoch: sale.Epoch);
        var missing = await _store.BeginAsync(NewSaleId(), 10, expectedEpoch: sale.Epoch);

        Assert.Equal(new SaleBeginning(BeginOutcome.EpochMismatch, null, reset.State.Value.Epoch), retried);
        Assert.Equal(new SaleBeginning(BeginOutcome.EpochMismatch, null, null), missing);
        Assert.Equal(OrderStatus.Pending, (await _store.GetOrderAsync(sale.SaleId, bought.OrderId!))!.Status);
        Assert.Equal(1, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
    }

    [Fact]
    public async Task AResetVoidsTheRoundsPendingOrdersKeepsItsPaidOnesAndItsStream()
    {
        var sale = await CreateAsync(total: 10);
        var pending = await DeductAsync(sale, "alice", "r1");
        var paid = await DeductAsync(sale, "bob", "r1");
        await _store.PayAsync(sale.SaleId, paid.OrderId!, "bob", "pay-1");

        var reset = await _store.BeginAsync(sale.SaleId, 3, expectedEpoch: sale.Epoch);
        var fresh = await DeductAsync(sale with { Epoch = reset.State!.Value.Epoch }, "alice", "r1");

        Assert.Equal(DeductionStatus.Created, fresh.Status);
        Assert.NotEqual(pending.OrderId, fresh.OrderId);
        Assert.Equal(OrderStatus.Voided, (await _store.GetOrderAsync(sale.SaleId, pending.OrderId!))!.Status);
        Assert.Equal(OrderStatus.Paid, (await _store.GetOrderAsync(sale.SaleId, paid.OrderId!))!.Status);
        Assert.Equal(new Payment(PaymentStatus.Voided, (await _store.GetOrderAsync(sale.SaleId, pending.OrderId!))!),
            await _store.PayAsync(sale.SaleId, pending.OrderId!, "alice", "pay-2"));
        Assert.Equal(fresh.OrderId, (await _store.GetOrderOfBuyerAsync(sale.SaleId, "alice"))!.OrderId);
        // Nothing of the last round is lost on its way to the ledger: begin, 2 created, 1 paid, begin, 1 created.
        Assert.Equal(6, await _db.StreamLengthAsync(sale.Keys.Stream));
        Assert.Equal(1, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
    }

    [Fact]
    public async Task PurchasesGoOutAsEvalShaOnceTheScriptsAreLoaded()
    {
        var sale = await CreateAsync(total: 50);
        var before = await RedisStats.ReadAsync(redis.Connection);

        for (var buyer = 0; buyer < 20; buyer++)
        {
            await DeductAsync(sale, $"user-{buyer}", "r1");
        }

        var after = await RedisStats.ReadAsync(redis.Connection);
        Assert.Equal(20, after.CallsTo("evalsha") - before.CallsTo("evalsha"));
        Assert.Equal(0, after.CallsTo("eval") - before.CallsTo("eval"));
    }

    [Fact]
    public async Task OrderRecordsBuyerReplicaAndTime()
    {
        var sale = await CreateAsync(total: 2);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var reply = await DeductAsync(sale, "carol", "replica-7");
        var order = await _store.GetOrderAsync(sale.SaleId, reply.OrderId!);

        Assert.NotNull(order);
        Assert.Equal(("carol", "replica-7", sale.SaleId), (order.UserId, order.ReplicaId, order.SaleId));
        Assert.InRange(order.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task SyncCountsTheReplicasAliveAndForgetsSilentOnes()
    {
        var sale = await CreateAsync(total: 10);
        var ttl = TimeSpan.FromMilliseconds(300);

        await _store.SyncAsync(sale.SaleId, "r1", ttl, []);
        await _store.SyncAsync(sale.SaleId, "r2", ttl, []);
        var both = await _store.SyncAsync(sale.SaleId, "r1", ttl, []);
        await Task.Delay(ttl * 2);
        var alone = await _store.SyncAsync(sale.SaleId, "r1", ttl, []);

        Assert.Equal(2, both!.AliveReplicas);
        Assert.Equal(1, alone!.AliveReplicas);
        Assert.Equal((10, 0, sale.Epoch), Summary(alone.State));
    }

    [Fact]
    public async Task AReplicaThatLeavesNoLongerCountsAtTheNextSync()
    {
        var sale = await CreateAsync(total: 10);
        var ttl = TimeSpan.FromMinutes(1);
        await _store.SyncAsync(sale.SaleId, "r1", ttl, []);
        await _store.SyncAsync(sale.SaleId, "r2", ttl, []);

        await _store.LeaveAsync(sale.SaleId, "r2");
        var alone = await _store.SyncAsync(sale.SaleId, "r1", ttl, []);

        // Long before its entry would have aged out.
        Assert.Equal(1, alone.AliveReplicas);
        Assert.Equal(["r1"], (await _db.SortedSetRangeByRankAsync(sale.Keys.Replicas)).Select(member => member.ToString()));
    }

    [Fact]
    public async Task SyncTellsWhichPurchasesInDoubtWereMade()
    {
        var sale = await CreateAsync(total: 10);
        var made = await DeductAsync(sale, "alice", "r1");
        await DeductAsync(sale, "bob", "r1");

        var synced = await _store.SyncAsync(sale.SaleId, "r1", TimeSpan.FromSeconds(5),
            [new("alice", made.OrderId!), new("bob", "not-the-order-bob-got"), new("carol", "never-made")]);

        Assert.Equal([true, false, false], synced!.InDoubtMade);
        Assert.Equal(2, synced.State.Sold);
    }

    [Fact]
    public async Task SyncOfASaleNeverOpenedHereSaysSo()
    {
        Assert.Equal(SyncReply.Closed, await _store.SyncAsync(NewSaleId(), "r1", TimeSpan.FromSeconds(5), []));
    }

    [Fact]
    public async Task SyncOfAnOpenSaleRedisLostSaysItIsMissing()
    {
        var sale = await CreateAsync(total: 10);
        await _db.KeyDeleteAsync(sale.Keys.Sale);

        Assert.Equal(SyncReply.Missing, await _store.SyncAsync(sale.SaleId, "r1", TimeSpan.FromSeconds(5), []));
    }

    [Fact]
    public async Task ASaleBegunAgainAfterRedisLostItHasANewEpochAboveTheFloorAndNewOrderIds()
    {
        var sale = await CreateAsync(total: 10);
        var before = await DeductAsync(sale, "alice", "r1");
        await _db.KeyDeleteAsync([sale.Keys.Sale, sale.Keys.Buyers, sale.Keys.Orders, sale.Keys.Stream, sale.Keys.SoldByReplica]);

        // The ledger's floor stands in for a new Redis host whose clock is behind.
        var floor = sale.Epoch + 1_000_000_000_000;
        var again = await _store.BeginAsync(sale.SaleId, 10, expectedEpoch: null, floorEpoch: floor);
        var after = await DeductAsync(sale with { Epoch = again.State!.Value.Epoch }, "alice", "r1");

        Assert.True(again.State.Value.Epoch >= floor, $"Epoch {again.State.Value.Epoch} below the floor {floor}.");
        Assert.Equal(DeductionStatus.Created, after.Status);
        Assert.NotEqual(before.OrderId, after.OrderId);
        Assert.Matches("^[0-9a-f]{24}$", after.OrderId);
    }

    [Fact]
    public async Task APaidOrderStaysPaidAndPayingAgainAnswersTheSame()
    {
        var sale = await CreateAsync(total: 5);
        var bought = await DeductAsync(sale, "alice", "r1");

        var paid = await _store.PayAsync(sale.SaleId, bought.OrderId!, "alice", "pay-1");
        var again = await _store.PayAsync(sale.SaleId, bought.OrderId!, "alice", "pay-2");

        Assert.Equal((PaymentStatus.Paid, OrderStatus.Paid, "pay-1"), (paid.Status, paid.Order!.Status, paid.Order.PaymentReference));
        Assert.Equal(paid, again);
        Assert.NotNull(paid.Order.PaidAt);
        Assert.Equal(0, await _db.SortedSetLengthAsync(sale.Keys.Deadlines));
        Assert.Equal(1, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
    }

    [Fact]
    public async Task PayingAnotherBuyersOrderChangesNothing()
    {
        var sale = await CreateAsync(total: 5);
        var bought = await DeductAsync(sale, "alice", "r1");

        var paid = await _store.PayAsync(sale.SaleId, bought.OrderId!, "mallory", "pay-1");

        Assert.Equal(new Payment(PaymentStatus.NotYours, null), paid);
        Assert.Equal(OrderStatus.Pending, (await _store.GetOrderAsync(sale.SaleId, bought.OrderId!))!.Status);
    }

    [Fact]
    public async Task PayingPastTheDeadlineExpiresTheOrderAndPutsItsUnitBackOnSale()
    {
        var sale = await CreateAsync(total: 1);
        var bought = await DeductAsync(sale, "alice", "r1", TimeSpan.FromMilliseconds(50));
        await Task.Delay(100);

        var paid = await _store.PayAsync(sale.SaleId, bought.OrderId!, "alice", "pay-1");
        var rebought = await DeductAsync(sale, "alice", "r1");

        Assert.Equal((PaymentStatus.Expired, OrderStatus.Expired), (paid.Status, paid.Order!.Status));
        Assert.Equal(DeductionStatus.Created, rebought.Status);
        Assert.NotEqual(bought.OrderId, rebought.OrderId);
        Assert.Equal(1, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
        Assert.Equal(1, (long)await _db.HashGetAsync(sale.Keys.SoldByReplica, "r1"));
    }

    [Fact]
    public async Task ExpiryReleasesExactlyTheUnpaidOrdersPastTheirDeadline()
    {
        var sale = await CreateAsync(total: 10);
        var shortLived = await Task.WhenAll(Enumerable.Range(0, 4).Select(buyer => DeductAsync(sale, $"short-{buyer}", "r1", TimeSpan.FromMilliseconds(50))));
        var longLived = await DeductAsync(sale, "long", "r1");
        await _store.PayAsync(sale.SaleId, shortLived[0].OrderId!, "short-0", "pay-1");
        await Task.Delay(100);

        var expired = await _store.ExpireDueAsync(sale.SaleId, max: 100);
        var expiredAgain = await _store.ExpireDueAsync(sale.SaleId, max: 100);

        Assert.Equal(shortLived.Skip(1).Select(order => order.OrderId).Order(), expired.Order());
        Assert.Empty(expiredAgain);
        Assert.Equal(2, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
        Assert.Equal(OrderStatus.Pending, (await _store.GetOrderAsync(sale.SaleId, longLived.OrderId!))!.Status);
        Assert.Null(await _store.GetOrderOfBuyerAsync(sale.SaleId, "short-1"));
        // The processor hears of every change on the stream: the sale begun, 5 created, 1 paid, 3 expired.
        Assert.Equal(10, await _db.StreamLengthAsync(sale.Keys.Stream));
    }

    [Fact]
    public async Task AThousandOrdersPaidAtTheirDeadlineEndPaidOrExpiredNeverBoth()
    {
        const int orders = 1000;
        var sale = await CreateAsync(total: orders);
        var window = TimeSpan.FromMilliseconds(300);
        var bought = await Task.WhenAll(Enumerable.Range(0, orders).Select(buyer => DeductAsync(sale, $"buyer-{buyer}", "r1", window)));
        await Task.Delay(window - TimeSpan.FromMilliseconds(100));

        // Payments and expiry race around the deadline, each decided atomically in Redis.
        var payments = Task.WhenAll(bought.Select((order, buyer) => _store.PayAsync(sale.SaleId, order.OrderId!, $"buyer-{buyer}", $"pay-{buyer}")));
        var expiry = Task.Run(async () =>
        {
            var expired = new List<string>();
            for (var round = 0; round < 20; round++)
            {
                expired.AddRange(await _store.ExpireDueAsync(sale.SaleId, max: 100));
                await Task.Delay(20);
            }

            return expired;
        });
        var paid = await payments;
        var expiredByExpiry = await expiry;

        var final = await Task.WhenAll(bought.Select(order => _store.GetOrderAsync(sale.SaleId, order.OrderId!)));
        var paidCount = final.Count(order => order!.Status == OrderStatus.Paid);
        var expiredCount = final.Count(order => order!.Status == OrderStatus.Expired);
        var pendingCount = final.Count(order => order!.Status == OrderStatus.Pending);
        Assert.Equal(orders, paidCount + expiredCount + pendingCount);
        Assert.Equal(paid.Count(payment => payment.Status == PaymentStatus.Paid), paidCount);
        Assert.Empty(expiredByExpiry.Intersect(paid.Where(payment => payment.Status == PaymentStatus.Paid).Select(payment => payment.Order!.OrderId)));
        Assert.Equal(pendingCount + paidCount, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
        Assert.Equal(pendingCount + paidCount, (long)await _db.HashGetAsync(sale.Keys.SoldByReplica, "r1"));
    }

    [Fact]
    public async Task OnRedisClockTheScriptSellsNothingBeforeTheOpeningNorAfterTheClosingAndWritesNothing()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(new DateTimeOffset(await redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]).TimeAsync(), TimeSpan.Zero).ToUnixTimeMilliseconds());
        var scheduled = await CreateAsync(total: 5, opensAt: now + TimeSpan.FromMinutes(1));
        var ended = await CreateAsync(total: 5, opensAt: now - TimeSpan.FromMinutes(2), closesAt: now - TimeSpan.FromMinutes(1));

        var early = await DeductAsync(scheduled, "alice", "r1");
        var late = await DeductAsync(ended, "alice", "r1");
        var schedule = (await _store.GetAsync(scheduled.SaleId))!.Value.Schedule;

        Assert.Equal(DeductionStatus.NotOpenYet, early.Status);
        Assert.InRange(early.RedisNowMs, now.ToUnixTimeMilliseconds(), schedule.OpensAtMs - 1);
        Assert.Equal(DeductionStatus.Ended, late.Status);
        Assert.Equal(((now + TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds(), (long?)null), (schedule.OpensAtMs, schedule.ClosesAtMs));
        foreach (var sale in new[] { scheduled, ended })
        {
            Assert.Equal(0, (long)await _db.HashGetAsync(sale.Keys.Sale, "sold"));
            Assert.False(await _db.KeyExistsAsync(sale.Keys.Buyers));
            Assert.False(await _db.KeyExistsAsync(sale.Keys.Orders));
            // Only the round's beginning, which carries the schedule for the ledger.
            var entry = Assert.Single(await _db.StreamRangeAsync(sale.Keys.Stream));
            Assert.Equal("incarnation", entry["type"]);
        }
    }

    private async Task<Sale> CreateAsync(int total, DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null)
    {
        var saleId = NewSaleId();
        var created = await _store.BeginAsync(saleId, total, expectedEpoch: null, opensAt: opensAt, closesAt: closesAt);
        return new Sale(SaleKeys.For(saleId), created.State!.Value.Epoch);
    }

    private static (long Total, long Sold, long Epoch) Summary(SaleState? state) => (state!.Value.Total, state.Value.Sold, state.Value.Epoch);

    private Task<Deduction> DeductAsync(Sale sale, string userId, string replicaId, TimeSpan? paymentWindow = null) =>
        _store.DeductAsync(sale.SaleId, sale.Epoch, userId, replicaId, paymentWindow ?? TimeSpan.FromMinutes(15));

    private static string NewSaleId() => "t-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>What a replica holds to deduct: the sale's keys and the epoch its slice belongs to.</summary>
    private sealed record Sale(SaleKeys Keys, long Epoch)
    {
        public string SaleId => Keys.SaleId;
    }
}
