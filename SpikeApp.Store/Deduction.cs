namespace SpikeApp.Store;

public enum DeductionStatus
{
    Created,
    Existing,
    SoldOut,
    NoSale,
    EpochChanged,

    /// <summary>The sale is not open on this Redis server (it came back and the ledger has not checked it yet); nothing was sold.</summary>
    Closed,

    NotSent,

    /// <summary>The command was sent but no answer came in time: Redis may or may not have sold the unit.</summary>
    InDoubt,
}

/// <param name="OrderId">For <see cref="DeductionStatus.InDoubt"/>, the one the lost command would have made.</param>
public readonly record struct Deduction(DeductionStatus Status, string? OrderId = null, bool SoldLastUnit = false, long Seq = 0, Exception? Failure = null);
