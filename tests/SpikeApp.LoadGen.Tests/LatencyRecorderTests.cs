using SpikeApp.LoadGen.Latency;

namespace SpikeApp.LoadGen.Tests;

public class LatencyRecorderTests
{
    /// <summary>3 significant digits: a percentile may read up to 0.1% high, never low.</summary>
    private const double Precision = 0.001;

    [Fact]
    public void PercentilesOfOneToAThousandMillisecondsAreExactWithinTheHistogramPrecision()
    {
        var recorder = new LatencyRecorder();
        for (var ms = 1; ms <= 1000; ms++)
        {
            recorder.Record(TimeSpan.FromMilliseconds(ms));
        }

        var summary = recorder.Summarize();

        Assert.Equal(1000, summary.Count);
        Assert.InRange(summary.P50Ms, 500, 500 * (1 + Precision));
        Assert.InRange(summary.P90Ms, 900, 900 * (1 + Precision));
        Assert.InRange(summary.P99Ms, 990, 990 * (1 + Precision));
        Assert.InRange(summary.P999Ms, 999, 999 * (1 + Precision));
        Assert.InRange(summary.MeanMs, 500.5, 500.5 * (1 + Precision));
        Assert.Equal(1.0, summary.MinMs);
        Assert.Equal(1000.0, summary.MaxMs);
    }

    [Fact]
    public void MaxAndMinAreExactNotRoundedToABucket()
    {
        var recorder = new LatencyRecorder();
        recorder.Record(TimeSpan.FromTicks(12_345_678)); // 1234.5678 ms
        recorder.Record(TimeSpan.FromTicks(4_321));      // 0.4321 ms

        var summary = recorder.Summarize();

        Assert.Equal(1234.5678, summary.MaxMs);
        Assert.Equal(0.4321, summary.MinMs);
    }

    [Fact]
    public async Task ConcurrentRecordingLosesNothing()
    {
        var recorder = new LatencyRecorder();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 1; i <= 10_000; i++)
            {
                recorder.Record(TimeSpan.FromMicroseconds(i + worker));
            }
        })));

        var summary = recorder.Summarize();
        Assert.Equal(80_000, summary.Count);
        Assert.Equal(0.001, summary.MinMs);
        Assert.Equal(10.007, summary.MaxMs);
    }

    [Fact]
    public void ValuesBeyondTheRangeAreClampedNotThrown()
    {
        var recorder = new LatencyRecorder();
        recorder.Record(TimeSpan.Zero);
        recorder.Record(TimeSpan.FromHours(2));

        var summary = recorder.Summarize();

        Assert.Equal(2, summary.Count);
        Assert.Equal(0.001, summary.MinMs);
        Assert.Equal(LatencyRecorder.HighestTrackable.TotalMilliseconds, summary.MaxMs);
    }

    [Fact]
    public void NothingRecordedSummarizesToZeros() =>
        Assert.Equal(LatencySummary.Empty, new LatencyRecorder().Summarize());
}
