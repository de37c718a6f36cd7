namespace SpikeApp.LoadGen.Outcomes;

/// <summary>One answer's outcome, the order id it carried (purchases), and for errors the description the report groups them by.</summary>
public readonly record struct Classification<TOutcome>(TOutcome Outcome, string? OrderId = null, string? Problem = null)
    where TOutcome : struct, Enum;
