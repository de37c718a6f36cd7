namespace SpikeApp.Api.Stock;

public enum RefillResult
{
    Granted,
    SoldOut,

    /// <summary>The sale changed epoch or vanished: this slice is stale and was replaced.</summary>
    EpochChanged,

    Restoring,

    /// <summary>Redis did not answer; the next refill waits a growing back-off.</summary>
    Failed,
}
