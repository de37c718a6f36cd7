using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpikeApp.LoadGen.Outcomes;

/// <summary>How many answers of each kind, indexed by <see cref="Outcome"/>; enumerates every outcome in the enum's order.</summary>
[JsonConverter(typeof(JsonWriter))]
public sealed class OutcomeCounts : IEnumerable<KeyValuePair<Outcome, long>>
{
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];

    /// <param name="countOf">Each outcome's count, e.g. read from live counters; without it, set them with the indexer.</param>
    public OutcomeCounts(Func<Outcome, long>? countOf = null)
    {
        foreach (var outcome in Enum.GetValues<Outcome>())
        {
            _counts[(int)outcome] = countOf?.Invoke(outcome) ?? 0;
        }
    }

    public long this[Outcome outcome]
    {
        get => _counts[(int)outcome];
        init => _counts[(int)outcome] = value;
    }

    public long Total => _counts.Sum();

    /// <summary>Answers after which the purchase may have happened without this client seeing it (Redis timeouts, lost answers).</summary>
    public long Uncertain => this[Outcome.Unavailable] + this[Outcome.Unanswered];

    public IEnumerator<KeyValuePair<Outcome, long>> GetEnumerator() =>
        Enum.GetValues<Outcome>().Select(outcome => KeyValuePair.Create(outcome, this[outcome])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Writes <c>{"success": 10, ..., "total": 100, "uncertain": 3}</c>: one field per outcome, named like the report's other fields.</summary>
    internal sealed class JsonWriter : JsonConverter<OutcomeCounts>
    {
        public override OutcomeCounts Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The report is only written.");

        public override void Write(Utf8JsonWriter writer, OutcomeCounts value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (outcome, count) in value)
            {
                writer.WriteNumber(Name(outcome.ToString()), count);
            }

            writer.WriteNumber(Name(nameof(Total)), value.Total);
            writer.WriteNumber(Name(nameof(Uncertain)), value.Uncertain);
            writer.WriteEndObject();

            string Name(string name) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;
        }
    }
}
