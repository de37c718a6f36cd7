using System.Text.Json.Serialization;

namespace SpikeApp.LoadGen.Outcomes;

/// <summary>How many payments were answered each way; the JSON adds <c>total</c>.</summary>
[JsonConverter(typeof(JsonWriter<PaymentCounts>))]
public sealed class PaymentCounts(Func<PaymentOutcome, long>? countOf = null) : OutcomeTally<PaymentOutcome>(OutcomeKinds.Payment, countOf);
