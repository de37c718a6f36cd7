using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace SpikeApp.Testing;

/// <summary>
/// Records the names SpikeApp's telemetry uses while a real component runs: every span of an ActivitySource named
/// <c>SpikeApp.*</c> (source, name, kind, tag keys) and every instrument of a Meter named <c>SpikeApp.*</c> (meter,
/// name, kind, unit, tag keys of what it measured). <see cref="Describe"/> lists them sorted, for a golden file: dashboards,
/// alerts and queries depend on these names.
/// </summary>
public sealed class TelemetryNames : IDisposable
{
    public const string Prefix = "SpikeApp.";

    private readonly ConcurrentDictionary<(string Source, string Name, ActivityKind Kind), ConcurrentDictionary<string, byte>> _spans = new();
    private readonly ConcurrentDictionary<Instrument, ConcurrentDictionary<string, byte>> _instruments = new();
    private readonly ConcurrentDictionary<Instrument, byte> _measured = new();
    private readonly Func<Activity, bool> _spanFilter;
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    /// <param name="spanFilter">Which spans are this component's, when other tests in the process use the same sources.</param>
    /// <param name="instrumentFilter">Which instruments are this component's (e.g. those of its host's <see cref="IMeterFactory"/>).</param>
    public TelemetryNames(Func<Activity, bool>? spanFilter = null, Func<Instrument, bool>? instrumentFilter = null)
    {
        _spanFilter = spanFilter ?? (_ => true);
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith(Prefix, StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_activities);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(Prefix, StringComparison.Ordinal) && (instrumentFilter?.Invoke(instrument) ?? true))
                {
                    _instruments.TryAdd(instrument, new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<byte>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.SetMeasurementEventCallback<short>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.SetMeasurementEventCallback<int>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.SetMeasurementEventCallback<float>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.SetMeasurementEventCallback<decimal>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.Start();
    }

    /// <summary>Whether a span or an instrument of that name was recorded (an instrument: measured) so far.</summary>
    public bool Saw(string name)
    {
        _meters.RecordObservableInstruments();
        return _spans.Keys.Any(span => span.Name == name) || _measured.Keys.Any(instrument => instrument.Name == name);
    }

    /// <summary>Waits until <see cref="Saw"/> each of <paramref name="names"/>, for what a component does in the background.</summary>
    public async Task WaitForAsync(TimeSpan timeout, params string[] names)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!names.All(Saw))
        {
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Within {timeout} saw none of {string.Join(", ", names.Where(name => !Saw(name)))}:\n{Describe()}");
            }
        }
    }

    /// <summary>
    /// One line per source or meter, then one indented line per span or instrument, sorted:
    /// <c>span NAME (KIND) [tag keys]</c>, <c>NAME KIND unit UNIT [tag keys]</c>; an instrument that measured nothing says so.
    /// </summary>
    public string Describe()
    {
        _meters.RecordObservableInstruments();
        var lines = new List<string>();
        foreach (var source in _spans.GroupBy(span => span.Key.Source).OrderBy(source => source.Key, StringComparer.Ordinal))
        {
            lines.Add($"ActivitySource {source.Key}");
            lines.AddRange(source
                .Select(span => $"  span {span.Key.Name} ({span.Key.Kind}) {Keys(span.Value)}")
                .Order(StringComparer.Ordinal));
        }

        foreach (var meter in _instruments.GroupBy(instrument => instrument.Key.Meter.Name).OrderBy(meter => meter.Key, StringComparer.Ordinal))
        {
            lines.Add($"Meter {meter.Key}");
            lines.AddRange(meter
                .Select(instrument => $"  {instrument.Key.Name} {Kind(instrument.Key)} unit {instrument.Key.Unit ?? "none"} "
                    + (_measured.ContainsKey(instrument.Key) ? Keys(instrument.Value) : "(nothing measured)"))
                .Order(StringComparer.Ordinal));
        }

        return string.Join('\n', lines);
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Record(Activity activity)
    {
        if (!_spanFilter(activity))
        {
            return;
        }

        var keys = _spans.GetOrAdd((activity.Source.Name, activity.OperationName, activity.Kind), _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        foreach (var tag in activity.TagObjects)
        {
            keys.TryAdd(tag.Key, 0);
        }
    }

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        _measured.TryAdd(instrument, 0);
        if (_instruments.TryGetValue(instrument, out var keys))
        {
            foreach (var tag in tags)
            {
                keys.TryAdd(tag.Key, 0);
            }
        }
    }

    private static string Keys(ConcurrentDictionary<string, byte> keys) => $"[{string.Join(", ", keys.Keys.Order(StringComparer.Ordinal))}]";

    /// <summary>"Counter&lt;Int64&gt;", "ObservableGauge&lt;Int32&gt;", "Histogram&lt;Double&gt;"...</summary>
    private static string Kind(Instrument instrument)
    {
        var type = instrument.GetType();
        return type.IsGenericType
            ? string.Create(CultureInfo.InvariantCulture, $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{type.GetGenericArguments()[0].Name}>")
            : type.Name;
    }
}
