namespace SpikeApp.Api.Stock;

internal enum LocalTake
{
    Taken,
    SoldOut,

    /// <summary>Redis still has stock, but the refills this purchase waited for left the slice dry.</summary>
    Dry,

    Unavailable,

    /// <summary>The sale changed epoch while the slice was refilled: retry on the new slice.</summary>
    EpochChanged,

    Restoring,
}
