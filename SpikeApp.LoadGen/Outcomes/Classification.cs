namespace SpikeApp.LoadGen.Outcomes;

/// <summary>
/// The outcome of one answer, the order id it carried (a purchase's new or existing order), and for errors a short
/// description the report groups them by.
/// </summary>
public readonly record struct Classification<TOutcome>(TOutcome Outcome, string? OrderId = null, string? Problem = null)
    where TOutcome : struct, Enum;
