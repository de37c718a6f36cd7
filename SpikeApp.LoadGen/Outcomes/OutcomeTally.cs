using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpikeApp.LoadGen.Outcomes;

/// <summary>How many answers of each kind, indexed by the outcome; enumerates every outcome in the enum's order.</summary>
public abstract class OutcomeTally<TOutcome> : IEnumerable<KeyValuePair<TOutcome, long>> where TOutcome : struct, Enum
{
    private static readonly TOutcome[] All = Enum.GetValues<TOutcome>();
    private readonly long[] _counts = new long[All.Length];

    /// <param name="countOf">Each outcome's count, e.g. read from live counters; without it, set them with the indexer.</param>
    protected OutcomeTally(Func<TOutcome, long>? countOf)
    {
        for (var i = 0; i < All.Length; i++)
        {
            _counts[i] = countOf?.Invoke(All[i]) ?? 0;
        }
    }

    public long this[TOutcome outcome]
    {
        get => _counts[Array.IndexOf(All, outcome)];
        init => _counts[Array.IndexOf(All, outcome)] = value;
    }

    public long Total => _counts.Sum();

    public IEnumerator<KeyValuePair<TOutcome, long>> GetEnumerator() =>
        All.Select(outcome => KeyValuePair.Create(outcome, this[outcome])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The sums written after the outcomes, by property name.</summary>
    protected virtual IEnumerable<(string Name, long Value)> Sums() => [(nameof(Total), Total)];

    /// <summary>Writes <c>{"success": 10, ..., "total": 100}</c>: one field per outcome, named like the report's other fields, then the sums.</summary>
    internal sealed class JsonWriter<TTally> : JsonConverter<TTally> where TTally : OutcomeTally<TOutcome>
    {
        public override TTally Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The report is only written.");

        public override void Write(Utf8JsonWriter writer, TTally value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (outcome, count) in value)
            {
                writer.WriteNumber(Name(outcome.ToString()), count);
            }

            foreach (var (name, sum) in value.Sums())
            {
                writer.WriteNumber(Name(name), sum);
            }

            writer.WriteEndObject();

            string Name(string name) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;
        }
    }
}
