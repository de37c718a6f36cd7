namespace SpikeApp.Api.Stock;

/// <summary>What taking a unit of the slice gave.</summary>
internal enum LocalTake
{
    Taken,
    SoldOut,
    Unavailable,

    /// <summary>The sale changed epoch while the slice was refilled: retry on the new slice.</summary>
    EpochChanged,
}
