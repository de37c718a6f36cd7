namespace SpikeApp.Api.Stock;

/// <summary>What taking a unit of the slice gave.</summary>
internal enum LocalTake
{
    Taken,
    SoldOut,
    Unavailable,

    /// <summary>The sale changed epoch while the slice was refilled: retry on the new slice.</summary>
    EpochChanged,

    /// <summary>Redis no longer has the sale open: the sale is restoring.</summary>
    Restoring,
}
