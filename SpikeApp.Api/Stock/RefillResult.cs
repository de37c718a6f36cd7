namespace SpikeApp.Api.Stock;

public enum RefillResult
{
    Granted,

    /// <summary>Redis said the sale is sold out: the only refill answer that may turn a buyer away for good.</summary>
    SoldOut,

    /// <summary>The slice was refilled moments ago; the next refill may run once the refill interval has passed.</summary>
    TooSoon,

    /// <summary>The sale changed epoch or vanished: this slice is stale and was replaced.</summary>
    EpochChanged,

    Restoring,

    /// <summary>Redis did not answer; the next refill waits a growing back-off.</summary>
    Failed,
}
