using StackExchange.Redis;

namespace SpikeApp.Store;

/// <summary>
/// A sale only the process that began it sells from (a warm-up's): begun and opened as any sale is, but never added to
/// the sale directory nor announced, so no replica syncs it and no processor persists, expires or restores it. Its keys
/// expire unless <see cref="DeleteAsync"/> removes them first.
/// </summary>
public sealed class ScratchSale
{
    private readonly IConnectionMultiplexer _redis;
    private readonly SaleKeys _keys;
    private readonly TimeSpan _commandTimeout;
    private string _epoch = "";

    private ScratchSale(IConnectionMultiplexer redis, string saleId, TimeSpan commandTimeout)
    {
        _redis = redis;
        _keys = SaleKeys.For(saleId);
        _commandTimeout = commandTimeout;
    }

    public string SaleId => _keys.SaleId;

    /// <summary>Every key a sale's scripts may write.</summary>
    private RedisKey[] AllKeys =>
        [_keys.Sale, _keys.Buyers, _keys.Orders, _keys.Stream, _keys.SoldByReplica, _keys.Replicas, _keys.Deadlines, _keys.RestoreLock];

    /// <summary>Creates the sale with <paramref name="total"/> units and loads its scripts; fails if the id is taken.</summary>
    public static async Task<ScratchSale> BeginAsync(IConnectionMultiplexer redis, RedisSaleStore store, string saleId, long total,
        TimeSpan timeToLive, TimeSpan commandTimeout)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(store);
        var sale = new ScratchSale(redis, saleId, commandTimeout);
        await sale.RunBeginAsync(total);
        await sale.ExpireAsync(timeToLive);
        await store.OpenAsync(saleId);
        return sale;
    }

    /// <summary>Begins a new round of <paramref name="total"/> units, as an operator's reset does, unannounced too.</summary>
    public Task ResetAsync(long total) => RunBeginAsync(total);

    private async Task RunBeginAsync(long total)
    {
        // The same script and arguments as RedisSaleStore.BeginAsync (no opensAt: open at once; no closesAt), without the
        // directory and the announcement after it.
        var reply = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(SaleScripts.Begin, _keys.ScriptKeys,
            [total, SaleId, "", _epoch, 0, "", ""]).WaitAsync(_commandTimeout))!;
        if ((long)reply[0] != SaleScripts.Began)
        {
            throw new InvalidOperationException($"Scratch sale '{SaleId}' was not where its creator left it (Begin answered {(long)reply[0]}).");
        }

        _epoch = (string)reply[3]!;
    }

    /// <summary>Sets the time to live of every key the sale has now (keys written later need another call).</summary>
    public Task ExpireAsync(TimeSpan timeToLive)
    {
        var database = _redis.GetDatabase();
        return Task.WhenAll(AllKeys.Select(key => database.KeyExpireAsync(key, timeToLive))).WaitAsync(_commandTimeout);
    }

    public Task DeleteAsync() => _redis.GetDatabase().KeyDeleteAsync(AllKeys, CommandFlags.None).WaitAsync(_commandTimeout);
}
