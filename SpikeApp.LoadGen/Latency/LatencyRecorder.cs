using HdrHistogram;

namespace SpikeApp.LoadGen.Latency;

/// <summary>One lock-free HdrHistogram, in microseconds with 3 significant digits; min and max are kept exactly beside it.</summary>
public sealed class LatencyRecorder
{
    /// <summary>Above the longest allowed --timeout, so no answered request falls outside the histogram.</summary>
    public static readonly TimeSpan HighestTrackable = TimeSpan.FromMinutes(10);

    private readonly LongConcurrentHistogram _histogram = new(1, HighestTrackable.Ticks / TimeSpan.TicksPerMicrosecond, 3);
    private long _minTicks = long.MaxValue;
    private long _maxTicks = long.MinValue;

    public long Count => _histogram.TotalCount;

    public void Record(TimeSpan elapsed)
    {
        var ticks = Math.Clamp(elapsed.Ticks, TimeSpan.TicksPerMicrosecond, HighestTrackable.Ticks);
        _histogram.RecordValue(ticks / TimeSpan.TicksPerMicrosecond);
        AtomicExtremes.Min(ref _minTicks, ticks);
        AtomicExtremes.Max(ref _maxTicks, ticks);
    }

    /// <summary>Percentiles in milliseconds; call once recording has finished.</summary>
    public LatencySummary Summarize()
    {
        if (Count == 0)
        {
            return LatencySummary.Empty;
        }

        return new LatencySummary(
            Count,
            MinMs: TimeSpan.FromTicks(Volatile.Read(ref _minTicks)).TotalMilliseconds,
            MeanMs: _histogram.GetMean() / 1000,
            P50Ms: Percentile(50),
            P90Ms: Percentile(90),
            P99Ms: Percentile(99),
            P999Ms: Percentile(99.9),
            MaxMs: TimeSpan.FromTicks(Volatile.Read(ref _maxTicks)).TotalMilliseconds);
    }

    private double Percentile(double percentile) => _histogram.GetValueAtPercentile(percentile) / 1000.0;
}
