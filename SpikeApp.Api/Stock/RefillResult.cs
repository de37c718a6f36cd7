namespace SpikeApp.Api.Stock;

/// <summary>How a refill of a dry slice ended.</summary>
public enum RefillResult
{
    /// <summary>Redis has units left: the slice got a share of them.</summary>
    Granted,

    /// <summary>Redis has none left: the sale is sold out.</summary>
    SoldOut,

    /// <summary>The sale changed epoch or vanished: this slice is stale and was replaced.</summary>
    EpochChanged,

    /// <summary>Redis lost the sale or has it closed: nothing is granted until the ledger restores it.</summary>
    Restoring,

    /// <summary>Redis did not answer; the next refill waits a growing back-off.</summary>
    Failed,
}
