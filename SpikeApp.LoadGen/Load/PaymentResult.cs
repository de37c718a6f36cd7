using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

public sealed record PaymentResult(PaymentCounts Outcomes, IReadOnlyDictionary<string, long> Problems);
