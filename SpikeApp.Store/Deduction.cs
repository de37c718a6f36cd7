namespace SpikeApp.Store;

/// <summary>How one remote deduction ended.</summary>
public enum DeductionStatus
{
    /// <summary>Redis sold the unit to this buyer: a new order.</summary>
    Created,

    /// <summary>The buyer already held an order; it is returned and nothing is sold.</summary>
    Existing,

    /// <summary>Redis has no unit left.</summary>
    SoldOut,

    /// <summary>Redis has no such sale.</summary>
    NoSale,

    /// <summary>The sale has another epoch than the replica's slice; nothing was sold.</summary>
    EpochChanged,

    /// <summary>The sale is not open on this Redis server (it came back and the ledger has not checked it yet); nothing was sold.</summary>
    Closed,

    /// <summary>The command never left this process: surely nothing was sold.</summary>
    NotSent,

    /// <summary>The command was sent but no answer came in time: Redis may or may not have sold the unit.</summary>
    InDoubt,
}

/// <summary>What Redis answered to one remote deduction, or why it did not.</summary>
/// <param name="OrderId">The buyer's order; for <see cref="DeductionStatus.InDoubt"/>, the one the lost command would have made.</param>
/// <param name="SoldLastUnit">True when this sale took the last unit: the sale is now sold out.</param>
/// <param name="Seq">The sale's <see cref="SaleState.Seq"/> as of a sale or a "sold out".</param>
/// <param name="Failure">The Redis error or timeout behind <see cref="DeductionStatus.NotSent"/> and <see cref="DeductionStatus.InDoubt"/>.</param>
public readonly record struct Deduction(DeductionStatus Status, string? OrderId = null, bool SoldLastUnit = false, long Seq = 0, Exception? Failure = null);
