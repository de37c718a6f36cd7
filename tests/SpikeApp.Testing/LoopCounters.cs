using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace SpikeApp.Testing;

/// <summary>
/// Sums <c>spike.loop.failures</c> by loop and <c>spike.orders.expired</c> as measured in this process. Started before the
/// host under test, since its first failures may come at once; only one such host may run in the process meanwhile.
/// </summary>
public sealed class LoopCounters : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private long _expired;

    public LoopCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name is "spike.loop.failures" or "spike.orders.expired")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "spike.orders.expired")
            {
                Interlocked.Add(ref _expired, value);
                return;
            }

            foreach (var tag in tags)
            {
                if (tag is { Key: "loop", Value: string loop })
                {
                    _failures.AddOrUpdate(loop, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Failures counted so far, by loop.</summary>
    public IReadOnlyDictionary<string, long> Failures => new SortedDictionary<string, long>(_failures, StringComparer.Ordinal);

    public long FailuresOf(string loop) => _failures.GetValueOrDefault(loop);

    public void Dispose() => _listener.Dispose();
}
