using SpikeApp.Contracts.Orders;
using StackExchange.Redis;
using Order = SpikeApp.Contracts.Orders.Order;

namespace SpikeApp.Store.Tests;

/// <summary>
/// What the store gives the ledger to stand on: a sale sells only where it was opened, scripts never act on another
/// round, and a restore is one atomic, fenced step.
/// </summary>
[Collection(SharedRedis.Name)]
public class LedgerGateTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private readonly RedisSaleStore _store = new(redis.Connection, TimeSpan.FromSeconds(10));
    private readonly IDatabase _db = redis.Connection.GetDatabase();

    [Fact]
    public async Task ASaleRedisHoldsButNeverOpenedSellsNothingPaysNothingExpiresNothing()
    {
        // As a Redis restarted from its AOF holds it: the data came back, the loaded scripts did not.
        var saleId = NewSaleId();
        var keys = SaleKeys.For(saleId);
        await _db.HashSetAsync(keys.Sale, [new("total", 10), new("sold", 1), new("epoch", 7), new("round", 7), new("seq", 2)]);
        await _db.HashSetAsync(keys.Orders, "o1", "alice|r1|1|2|pending|||7|7");
        await _db.SortedSetAddAsync(keys.Deadlines, "o1", 2);

        var deduction = await _store.DeductAsync(saleId, 7, "bob", "r1", Window);
        var payment = await _store.PayAsync(saleId, "o1", "alice", "pay-1");
        var expired = await _store.ExpireDueAsync(saleId, 10);
        var synced = await _store.SyncAsync(saleId, "r1", TimeSpan.FromSeconds(5), []);

        Assert.Equal(DeductionStatus.Closed, deduction.Status);
        Assert.Equal(PaymentStatus.SaleClosed, payment.Status);
        Assert.Empty(expired);
        Assert.Equal(SyncReply.Closed, synced);
        Assert.False(await _store.IsOpenAsync(saleId));
        Assert.Equal(1, (long)await _db.HashGetAsync(keys.Sale, "sold"));
        Assert.Equal(0, await _db.StreamLengthAsync(keys.Stream));
    }

    [Fact]
    public async Task OpeningASaleLetsItSell()
    {
        var saleId = NewSaleId();
        var keys = SaleKeys.For(saleId);
        await _db.HashSetAsync(keys.Sale, [new("total", 10), new("sold", 0), new("epoch", 7), new("round", 7), new("seq", 1)]);

        await _store.OpenAsync(saleId);
        var deduction = await _store.DeductAsync(saleId, 7, "bob", "r1", Window);

        Assert.True(await _store.IsOpenAsync(saleId));
        Assert.Equal((DeductionStatus.Created, 2L), (deduction.Status, deduction.Seq));
    }

    [Fact]
    public async Task AnOrderOfAnotherRoundIsNeitherExpiredNorPaid()
    {
        var sale = await CreateAsync(total: 10);
        var keys = SaleKeys.For(sale.SaleId);
        // A pending order left from an earlier round, still under a deadline.
        await _db.HashSetAsync(keys.Orders, "old", "carol|r1|1|2|pending|||1|1");
        await _db.SortedSetAddAsync(keys.Deadlines, "old", 2);

        var expired = await _store.ExpireDueAsync(sale.SaleId, 10);
        var payment = await _store.PayAsync(sale.SaleId, "old", "carol", "pay-1");

        Assert.Empty(expired);
        Assert.Equal((PaymentStatus.Voided, OrderStatus.Voided), (payment.Status, payment.Order!.Status));
        Assert.Equal(0, (long)await _db.HashGetAsync(keys.Sale, "sold"));
        Assert.Equal(0, await _db.SortedSetLengthAsync(keys.Deadlines));
    }

    [Fact]
    public async Task WithOnlyTheSaleHashGoneNothingExpiresAndNoHashComesBack()
    {
        var sale = await CreateAsync(total: 10);
        await _store.DeductAsync(sale.SaleId, sale.Epoch, "alice", "r1", TimeSpan.FromMilliseconds(20));
        await _db.KeyDeleteAsync(SaleKeys.For(sale.SaleId).Sale);
        await Task.Delay(50);

        var expired = await _store.ExpireDueAsync(sale.SaleId, 10);

        Assert.Empty(expired);
        Assert.False(await _db.KeyExistsAsync(SaleKeys.For(sale.SaleId).Sale));
        Assert.Equal(1, await _db.SortedSetLengthAsync(SaleKeys.For(sale.SaleId).Deadlines));
    }

    [Fact]
    public async Task SoldNeverGoesBelowZero()
    {
        var sale = await CreateAsync(total: 10);
        await _store.DeductAsync(sale.SaleId, sale.Epoch, "alice", "r1", TimeSpan.FromMilliseconds(20));
        // A sold count that lost track of its order, as a partial loss leaves it.
        await _db.HashSetAsync(SaleKeys.For(sale.SaleId).Sale, "sold", 0);
        await Task.Delay(50);

        var expired = await _store.ExpireDueAsync(sale.SaleId, 10);

        Assert.Single(expired);
        Assert.Equal(0, (long)await _db.HashGetAsync(SaleKeys.For(sale.SaleId).Sale, "sold"));
    }

    [Fact]
    public async Task ARestoreBringsBackTheRoundsOrdersAtANewEpochAboveTheFloor()
    {
        var sale = await CreateAsync(total: 5);
        var now = DateTimeOffset.UtcNow;
        Order[] ledger =
        [
            NewOrder(sale, "o-pending", "alice", OrderStatus.Pending, now.AddMinutes(10)),
            NewOrder(sale, "o-paid", "bob", OrderStatus.Paid, now.AddMinutes(10), paidAt: now),
            NewOrder(sale, "o-expired", "carol", OrderStatus.Expired, now.AddMinutes(-1)),
            NewOrder(sale, "o-due", "dave", OrderStatus.Pending, now.AddMilliseconds(-1)),
        ];
        await _db.KeyDeleteAsync(SaleKeys.For(sale.SaleId).Sale);
        var floor = sale.Epoch + 1_000_000;

        Assert.True(await _store.TryLockRestoreAsync(sale.SaleId, "token-1", TimeSpan.FromSeconds(30)));
        var restored = await _store.RestoreAsync(sale.SaleId, "token-1", planned: null, total: 5, round: sale.Epoch, floorEpoch: floor, SaleSchedule.Always, ledger);
        var again = await _store.DeductAsync(sale.SaleId, restored!.Value.Epoch, "alice", "r1", Window);
        var expired = await _store.ExpireDueAsync(sale.SaleId, 10);

        Assert.Equal((5L, 3L, sale.Epoch), (restored.Value.Total, restored.Value.Sold, restored.Value.Round));
        Assert.True(restored.Value.Epoch >= floor);
        Assert.True(await _store.IsOpenAsync(sale.SaleId));
        Assert.Equal((DeductionStatus.Existing, "o-pending"), (again.Status, again.OrderId));
        Assert.Equal(["o-due"], expired);
        Assert.Equal(2, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
        Assert.Equal(OrderStatus.Paid, (await _store.GetOrderAsync(sale.SaleId, "o-paid"))!.Status);
        Assert.Equal(sale.Epoch, (await _store.GetOrderAsync(sale.SaleId, "o-paid"))!.Epoch);
        Assert.False(await _db.KeyExistsAsync(SaleKeys.For(sale.SaleId).RestoreLock));
    }

    [Fact]
    public async Task ARestoreWithoutTheLockOrAgainstAChangedSaleWritesNothing()
    {
        var sale = await CreateAsync(total: 5);
        var planned = await _store.GetAsync(sale.SaleId);
        await _store.TryLockRestoreAsync(sale.SaleId, "token-1", TimeSpan.FromSeconds(30));

        var notHolder = await _store.RestoreAsync(sale.SaleId, "token-2", planned, 5, sale.Epoch, 0, SaleSchedule.Always, []);
        await _store.DeductAsync(sale.SaleId, sale.Epoch, "alice", "r1", Window);
        var changed = await _store.RestoreAsync(sale.SaleId, "token-1", planned, 5, sale.Epoch, 0, SaleSchedule.Always, []);

        Assert.Null(notHolder);
        Assert.Null(changed);
        Assert.Equal((1L, sale.Epoch), ((await _store.GetAsync(sale.SaleId))!.Value.Sold, (await _store.GetAsync(sale.SaleId))!.Value.Epoch));
    }

    [Fact]
    public async Task EveryChangeReachesTheStreamNumberedWithinItsEpoch()
    {
        var sale = await CreateAsync(total: 5);
        var bought = await _store.DeductAsync(sale.SaleId, sale.Epoch, "alice", "r1", Window);
        await _store.PayAsync(sale.SaleId, bought.OrderId!, "alice", "pay-1");
        var reset = await _store.BeginAsync(sale.SaleId, 5, sale.Epoch);

        var events = new List<SaleEvent>();
        await foreach (var page in new OrderFeed(redis.Connection).ReadAllAsync(sale.SaleId, pageSize: 2))
        {
            events.AddRange(page);
        }

        Assert.Equal(
            [("incarnation", sale.Epoch, 1L), ("created", sale.Epoch, 2L), ("paid", sale.Epoch, 3L), ("incarnation", reset.State!.Value.Epoch, 1L)],
            events.Select(change => (change is OrderEvent order ? order.Order.Status == OrderStatus.Pending ? "created" : order.Order.Status.ToName() : "incarnation", change.Epoch, change.Seq)));
        Assert.Equal([IncarnationKind.Created, IncarnationKind.Reset], events.OfType<IncarnationEvent>().Select(began => began.Began));
    }

    private async Task<(string SaleId, long Epoch)> CreateAsync(int total)
    {
        var saleId = NewSaleId();
        var created = await _store.BeginAsync(saleId, total, expectedEpoch: null);
        return (saleId, created.State!.Value.Epoch);
    }

    private static Order NewOrder((string SaleId, long Epoch) sale, string orderId, string userId, OrderStatus status, DateTimeOffset expiresAt,
        DateTimeOffset? paidAt = null) =>
        new(orderId, sale.SaleId, userId, "r1", status, expiresAt.AddMinutes(-15), expiresAt, paidAt, paidAt is null ? null : "pay-1", sale.Epoch);

    private static string NewSaleId() => "g-" + Guid.NewGuid().ToString("N")[..12];
}
