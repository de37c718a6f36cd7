using StackExchange.Redis;

namespace SpikeApp.Api.Stock;

/// <summary>
/// What one replica knows of a sale for one epoch: its slice, and whether Redis already said "sold out".
/// A reset bumps the epoch and replaces this object, so stale state is dropped, never patched.
/// </summary>
public sealed class LocalSale
{
    private int _soldOutInRedis;
    private long _soldHere;

    public LocalSale(string saleId, long epoch, long total, int slice)
    {
        SaleId = saleId;
        Epoch = epoch;
        Total = total;
        Stock = new LocalStock(slice);
        Keys = SaleKeys.For(saleId);
        EpochArgument = epoch;
    }

    public string SaleId { get; }

    public long Epoch { get; }

    public long Total { get; }

    public LocalStock Stock { get; }

    /// <summary>The script's keys, built once per sale rather than per purchase.</summary>
    internal RedisKey[] Keys { get; }

    internal RedisValue EpochArgument { get; }

    public long SoldHere => Interlocked.Read(ref _soldHere);

    public bool SoldOutInRedis => Volatile.Read(ref _soldOutInRedis) != 0;

    /// <summary>True when this replica can answer "sold out" without asking Redis.</summary>
    public bool IsSoldOut => SoldOutInRedis || Stock.Remaining == 0;

    public void MarkSoldOutInRedis() => Volatile.Write(ref _soldOutInRedis, 1);

    public void RecordSale() => Interlocked.Increment(ref _soldHere);
}
