namespace SpikeApp.LoadGen.Latency;

/// <summary>Latency of answered requests, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double MinMs, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0, 0);
}
