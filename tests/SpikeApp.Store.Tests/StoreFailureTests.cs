using StackExchange.Redis;

namespace SpikeApp.Store.Tests;

/// <summary>
/// However a Redis call fails, the store's callers see "unavailable" (or a deduction not sent or in doubt), never
/// StackExchange.Redis' or the socket's own exceptions: those would reach a buyer as 500.
/// </summary>
[Collection(SharedRedis.Name)]
public class StoreFailureTests(RedisServerFixture redis)
{
    private static readonly TimeSpan LongTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryCallOfAStoreWhoseConnectionWasDisposedIsUnavailable()
    {
        var saleId = await CreateSaleAsync();
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var store = new RedisSaleStore(connection, LongTimeout);
        await connection.DisposeAsync();

        var deduction = await store.DeductAsync(saleId, epoch: 1, "alice", "r1", TimeSpan.FromMinutes(1));

        Assert.NotNull(deduction.Failure);
        Assert.Contains(deduction.Status, new[] { DeductionStatus.NotSent, DeductionStatus.InDoubt });
        await Assert.ThrowsAsync<SaleStoreUnavailableException>(() => store.GetAsync(saleId));
        await Assert.ThrowsAsync<SaleStoreUnavailableException>(() => store.PingAsync());
        await Assert.ThrowsAsync<SaleStoreUnavailableException>(() => store.SyncAsync(saleId, "r1", TimeSpan.FromSeconds(6), []));
        await Assert.ThrowsAsync<SaleStoreUnavailableException>(() => store.OpenAsync(saleId));
    }

    [Fact]
    public async Task CallsWhoseConnectionBreaksUnderThemAreUnavailableAndADeductionIsInDoubt()
    {
        var saleId = await CreateSaleAsync();
        var epoch = (await new RedisSaleStore(redis.Connection, LongTimeout).GetAsync(saleId))!.Value.Epoch;
        await using var proxy = new LoopbackProxy(redis.Port);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionStringThrough(proxy.Port) + ",abortConnect=false");
        var store = new RedisSaleStore(connection, LongTimeout);
        await store.PingAsync();

        // The commands leave this process, then the connection breaks before any answer comes back.
        proxy.Blackhole();
        var deduction = store.DeductAsync(saleId, epoch, "alice", "r1", TimeSpan.FromMinutes(1));
        var read = store.GetAsync(saleId);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        await proxy.DisposeAsync();

        var deducted = await deduction.WaitAsync(LongTimeout);
        Assert.Equal(DeductionStatus.InDoubt, deducted.Status);
        Assert.NotNull(deducted.OrderId);
        await Assert.ThrowsAsync<SaleStoreUnavailableException>(() => read.WaitAsync(LongTimeout));
    }

    private async Task<string> CreateSaleAsync()
    {
        var saleId = "f-" + Guid.NewGuid().ToString("N")[..12];
        await new RedisSaleStore(redis.Connection, LongTimeout).BeginAsync(saleId, total: 10, expectedEpoch: null);
        return saleId;
    }
}
