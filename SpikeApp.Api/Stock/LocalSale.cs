using SpikeApp.Api.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// What one replica knows of a sale for one epoch: its slice, and whether Redis already said "sold out".
/// A reset bumps the epoch and replaces this object, so stale state is dropped, never patched.
/// </summary>
public sealed class LocalSale(string saleId, long epoch, int slice)
{
    private int _soldOutInRedis;
    private long _soldHere;

    public string SaleId { get; } = saleId;

    public long Epoch { get; } = epoch;

    public LocalStock Stock { get; } = new(slice);

    /// <summary>The sale's Redis keys, built once per sale rather than per purchase.</summary>
    public SaleKeys Keys { get; } = new(saleId);

    public long SoldHere => Interlocked.Read(ref _soldHere);

    public bool SoldOutInRedis => Volatile.Read(ref _soldOutInRedis) != 0;

    /// <summary>True when this replica can answer "sold out" without asking Redis.</summary>
    public bool IsSoldOut => SoldOutInRedis || Stock.Remaining == 0;

    public void MarkSoldOutInRedis() => Volatile.Write(ref _soldOutInRedis, 1);

    public void RecordSale() => Interlocked.Increment(ref _soldHere);
}
