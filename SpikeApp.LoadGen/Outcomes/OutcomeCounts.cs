using System.Text.Json.Serialization;

namespace SpikeApp.LoadGen.Outcomes;

/// <summary>How many purchases were answered each way; the JSON adds <c>total</c> and <c>uncertain</c>.</summary>
[JsonConverter(typeof(JsonWriter<OutcomeCounts>))]
public sealed class OutcomeCounts(Func<Outcome, long>? countOf = null) : OutcomeTally<Outcome>(OutcomeKinds.Purchase, countOf)
{
    /// <summary>Answers after which the purchase may have happened without this client seeing it (Redis timeouts, lost answers).</summary>
    public long Uncertain => this[Outcome.Unavailable] + this[Outcome.Unanswered];

    protected override IEnumerable<(string Name, long Value)> Sums() => [.. base.Sums(), (nameof(Uncertain), Uncertain)];
}
