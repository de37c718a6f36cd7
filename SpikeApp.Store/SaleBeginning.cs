namespace SpikeApp.Store;

public enum BeginOutcome
{
    Began,
    AlreadyExists,

    /// <summary>A reset of another epoch was asked (or the sale is missing); nothing changed.</summary>
    EpochMismatch,
}

/// <param name="CurrentEpoch">When refused: the sale's epoch now, null when it is missing.</param>
public sealed record SaleBeginning(BeginOutcome Outcome, SaleState? State, long? CurrentEpoch);
