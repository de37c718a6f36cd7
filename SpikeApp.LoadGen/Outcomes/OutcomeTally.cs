using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpikeApp.LoadGen.Outcomes;

/// <summary>How many answers of each kind, indexed by the outcome; enumerates every listed outcome in the enum's order.</summary>
public abstract class OutcomeTally<TOutcome>(OutcomeKind<TOutcome> kind, Func<TOutcome, long>? countOf)
    : IEnumerable<KeyValuePair<TOutcome, long>> where TOutcome : struct, Enum
{
    private readonly long[] _counts = [.. kind.All.Select(outcome => countOf?.Invoke(outcome) ?? 0)];

    public OutcomeKind<TOutcome> Kind => kind;

    public long this[TOutcome outcome]
    {
        get => _counts[kind.Index(outcome)];
        init => _counts[kind.Index(outcome)] = value;
    }

    public long Total => _counts.Sum();

    public IEnumerator<KeyValuePair<TOutcome, long>> GetEnumerator() =>
        kind.All.Where(outcome => kind.IsListed(outcome, this[outcome]))
            .Select(outcome => KeyValuePair.Create(outcome, this[outcome])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

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
