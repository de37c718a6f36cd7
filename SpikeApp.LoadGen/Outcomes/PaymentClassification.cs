namespace SpikeApp.LoadGen.Outcomes;

/// <summary>The outcome of one payment, and for errors a short description the report groups them by.</summary>
public readonly record struct PaymentClassification(PaymentOutcome Outcome, string? Problem = null);
