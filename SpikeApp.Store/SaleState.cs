namespace SpikeApp.Store;

/// <summary>A sale as Redis, the only authority, holds it.</summary>
public readonly record struct SaleState(long Total, long Sold, long Epoch)
{
    public bool SoldOut => Sold >= Total;

    public long Remaining => Math.Max(0, Total - Sold);
}
