namespace SpikeApp.Api.Stock;

internal enum LocalTake
{
    Taken,
    SoldOut,
    Unavailable,

    /// <summary>The sale changed epoch while the slice was refilled: retry on the new slice.</summary>
    EpochChanged,

    Restoring,
}
