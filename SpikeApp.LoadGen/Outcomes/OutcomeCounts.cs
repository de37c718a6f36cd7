namespace SpikeApp.LoadGen.Outcomes;

/// <summary>How many answers of each kind.</summary>
public sealed record OutcomeCounts(long Success, long ExistingOrder, long SoldOut, long Overloaded, long Unavailable, long OtherErrors, long Unanswered)
{
    public long Total => Success + ExistingOrder + SoldOut + Overloaded + Unavailable + OtherErrors + Unanswered;

    /// <summary>Answers after which the purchase may have happened without this client seeing it (Redis timeouts, lost answers).</summary>
    public long Uncertain => Unavailable + Unanswered;
}
