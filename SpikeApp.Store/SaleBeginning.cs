namespace SpikeApp.Store;

public enum BeginOutcome
{
    /// <summary>A new round began: the sale was created, or reset.</summary>
    Began,

    /// <summary>Creating was asked but the sale exists; nothing changed.</summary>
    AlreadyExists,

    /// <summary>A reset of another epoch was asked (or the sale is missing); nothing changed.</summary>
    EpochMismatch,
}

/// <summary>What beginning a round did.</summary>
/// <param name="State">The new round's sale when it began.</param>
/// <param name="CurrentEpoch">When refused: the sale's epoch now, null when it is missing.</param>
public sealed record SaleBeginning(BeginOutcome Outcome, SaleState? State, long? CurrentEpoch);
