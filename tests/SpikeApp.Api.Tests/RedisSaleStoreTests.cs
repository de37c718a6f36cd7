using SpikeApp.Api.Stock;
using SpikeApp.Testing;
using StackExchange.Redis;

namespace SpikeApp.Api.Tests;

[Collection(SharedRedis.Name)]
public class RedisSaleStoreTests(RedisServerFixture redis)
{
    private readonly RedisSaleStore _store = new(redis.Connection);
    private readonly IDatabase _db = redis.Connection.GetDatabase();

    [Fact]
    public async Task ThousandConcurrentBuyersOfAHundredUnitsGetExactlyAHundredOrders()
    {
        var saleId = NewSaleId();
        var state = await _store.CreateIfAbsentAsync(saleId, 100);
        var sale = new LocalSale(saleId, state.Epoch, state.Total, slice: 1000);
        using var start = new ManualResetEventSlim();

        var buyers = Enumerable.Range(0, 1000).Select(buyer => Task.Run(async () =>
        {
            start.Wait();
            return await _store.DeductAsync(sale, $"user-{buyer}", "replica-a");
        })).ToList();
        start.Set();
        var replies = await Task.WhenAll(buyers);

        Assert.Equal(100, replies.Count(reply => reply.Code == SaleScripts.Created));
        Assert.Equal(900, replies.Count(reply => reply.Code == SaleScripts.SoldOut));
        Assert.Equal(100, replies.Where(reply => reply.Code == SaleScripts.Created).Select(reply => reply.OrderId).Distinct().Count());
        var keys = SaleKeys.For(saleId);
        Assert.Equal(100, (long)await _db.HashGetAsync(keys[SaleKeys.Sale], "sold"));
        Assert.Equal(100, await _db.HashLengthAsync(keys[SaleKeys.Buyers]));
        Assert.Equal(100, await _db.HashLengthAsync(keys[SaleKeys.Orders]));
        Assert.Equal(100, await _db.StreamLengthAsync(keys[SaleKeys.Stream]));
        Assert.Equal(100, (long)await _db.HashGetAsync(keys[SaleKeys.SoldByReplica], "replica-a"));
    }

    [Fact]
    public async Task TheSameBuyerTwiceGetsTheSameOrderAndOneUnit()
    {
        var sale = await CreateAsync(total: 5);

        var first = await _store.DeductAsync(sale, "alice", "r1");
        var second = await _store.DeductAsync(sale, "alice", "r2");

        Assert.Equal(SaleScripts.Created, first.Code);
        Assert.Equal(SaleScripts.Existing, second.Code);
        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Equal(1, (await _store.GetAsync(sale.SaleId))!.Value.Sold);
    }

    [Fact]
    public async Task UnknownSaleIsNoSale()
    {
        var sale = new LocalSale(NewSaleId(), epoch: 1, total: 10, slice: 10);

        var reply = await _store.DeductAsync(sale, "alice", "r1");

        Assert.Equal(SaleScripts.NoSale, reply.Code);
        Assert.Null(await _store.GetAsync(sale.SaleId));
    }

    [Fact]
    public async Task WhenSoldEqualsTotalTheNextBuyerIsSoldOut()
    {
        // The seed's check (total >= sold) let a buyer through here and sold total + 1.
        var sale = await CreateAsync(total: 1);

        var first = await _store.DeductAsync(sale, "alice", "r1");
        var second = await _store.DeductAsync(sale, "bob", "r1");

        Assert.Equal(SaleScripts.Created, first.Code);
        Assert.Equal(SaleScripts.SoldOut, second.Code);
        var state = (await _store.GetAsync(sale.SaleId))!.Value;
        Assert.Equal(1, state.Sold);
        Assert.True(state.SoldOut);
    }

    [Fact]
    public async Task BuyerWhoAlreadyHoldsAnOrderGetsItBackAfterSellOut()
    {
        var sale = await CreateAsync(total: 1);
        var bought = await _store.DeductAsync(sale, "alice", "r1");

        var retried = await _store.DeductAsync(sale, "alice", "r1");

        Assert.Equal(SaleScripts.Existing, retried.Code);
        Assert.Equal(bought.OrderId, retried.OrderId);
    }

    [Fact]
    public async Task CreatingAnExistingSaleNeverResetsIt()
    {
        var sale = await CreateAsync(total: 10);
        await _store.DeductAsync(sale, "alice", "r1");
        await _store.DeductAsync(sale, "bob", "r1");

        var again = await _store.CreateIfAbsentAsync(sale.SaleId, 500);

        Assert.Equal(new SaleState(10, 2, 1), again);
    }

    [Fact]
    public async Task ResetStartsANewEpochThatMakesTheOldOneStale()
    {
        var sale = await CreateAsync(total: 10);
        await _store.DeductAsync(sale, "alice", "r1");

        var reset = await _store.ResetAsync(sale.SaleId, 3);
        var stale = await _store.DeductAsync(sale, "alice", "r1");

        Assert.Equal(new SaleState(3, 0, 2), reset);
        Assert.Equal(SaleScripts.StaleEpoch, stale.Code);
    }

    [Fact]
    public async Task ResetForgetsTheOrdersOfTheOldEpoch()
    {
        var sale = await CreateAsync(total: 10);
        var old = await _store.DeductAsync(sale, "alice", "r1");

        var reset = await _store.ResetAsync(sale.SaleId, 3);
        var fresh = await _store.DeductAsync(new LocalSale(sale.SaleId, reset.Epoch, reset.Total, 3), "alice", "r1");

        Assert.Equal(SaleScripts.Created, fresh.Code);
        Assert.NotEqual(old.OrderId, fresh.OrderId);
        Assert.Null(await _store.GetOrderAsync(sale.SaleId, old.OrderId!));
        Assert.Equal("alice", (await _store.GetOrderAsync(sale.SaleId, fresh.OrderId!))!.UserId);
        Assert.Equal(1, await _db.StreamLengthAsync(SaleKeys.For(sale.SaleId)[SaleKeys.Stream]));
    }

    [Fact]
    public async Task PurchasesGoOutAsEvalShaOnceTheScriptsAreLoaded()
    {
        var sale = await CreateAsync(total: 50);
        await _store.LoadScriptsAsync();
        var before = await RedisStats.ReadAsync(redis.Connection);

        for (var buyer = 0; buyer < 20; buyer++)
        {
            await _store.DeductAsync(sale, $"user-{buyer}", "r1");
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

        var reply = await _store.DeductAsync(sale, "carol", "replica-7");
        var order = await _store.GetOrderAsync(sale.SaleId, reply.OrderId!);

        Assert.NotNull(order);
        Assert.Equal(("carol", "replica-7", sale.SaleId), (order.UserId, order.ReplicaId, order.SaleId));
        Assert.InRange(order.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    private async Task<LocalSale> CreateAsync(int total)
    {
        var saleId = NewSaleId();
        var state = await _store.CreateIfAbsentAsync(saleId, total);
        return new LocalSale(saleId, state.Epoch, state.Total, slice: total * 10);
    }

    private static string NewSaleId() => "t-" + Guid.NewGuid().ToString("N")[..12];
}
