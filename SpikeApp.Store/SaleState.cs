namespace SpikeApp.Store;

/// <param name="Epoch">The incarnation: a new one after every create, reset or restore.</param>
/// <param name="Round">The epoch of the create or reset that began the current round; a restore keeps it.</param>
/// <param name="Schedule">Set when a round begins; a restore keeps it.</param>
public readonly record struct SaleState(long Total, long Sold, long Epoch, long Round = 0, long Seq = 0, SaleSchedule Schedule = default)
{
    public bool SoldOut => Sold >= Total;

    public long Remaining => Math.Max(0, Total - Sold);
}
