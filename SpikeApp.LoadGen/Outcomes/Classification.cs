namespace SpikeApp.LoadGen.Outcomes;

/// <summary>
/// The outcome of one answer, the order id it carried (api mode success or existing order), and for errors a short
/// description the report groups them by.
/// </summary>
public readonly record struct Classification(Outcome Outcome, string? OrderId = null, string? Problem = null);
