namespace SpikeApp.Store;

public enum DeductionStatus
{
    Created,
    Existing,
    SoldOut,
    NoSale,
    EpochChanged,

    /// <summary>Redis' clock is before the sale's opening; nothing was sold.</summary>
    NotOpenYet,

    /// <summary>Redis' clock is past the sale's closing; nothing was sold.</summary>
    Ended,

    /// <summary>The sale is not open on this Redis server (it came back and the ledger has not checked it yet); nothing was sold.</summary>
    Closed,

    NotSent,

    /// <summary>The command was sent but no answer came in time: Redis may or may not have sold the unit.</summary>
    InDoubt,
}

/// <param name="OrderId">For <see cref="DeductionStatus.InDoubt"/>, the one the lost command would have made.</param>
/// <param name="RedisNowMs">For <see cref="DeductionStatus.NotOpenYet"/>: Redis' clock when it refused.</param>
public readonly record struct Deduction(DeductionStatus Status, string? OrderId = null, bool SoldLastUnit = false, long Seq = 0, Exception? Failure = null, long RedisNowMs = 0);
