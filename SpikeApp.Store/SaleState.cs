namespace SpikeApp.Store;

/// <summary>A sale as Redis, the only authority, holds it.</summary>
/// <param name="Epoch">The incarnation: a new one after every create, reset or restore.</param>
/// <param name="Round">The epoch of the create or reset that began the current round; a restore keeps it.</param>
/// <param name="Seq">Stream entries written in this epoch: grows with every change.</param>
public readonly record struct SaleState(long Total, long Sold, long Epoch, long Round = 0, long Seq = 0)
{
    public bool SoldOut => Sold >= Total;

    public long Remaining => Math.Max(0, Total - Sold);
}
