using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>The payments a phase made (--pay-ratio above 0): how each was answered, and the errors by description.</summary>
public sealed record PaymentResult(PaymentCounts Outcomes, IReadOnlyDictionary<string, long> Problems);
