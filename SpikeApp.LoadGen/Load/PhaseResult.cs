using System.Text.Json.Serialization;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Latency;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

public sealed record PhaseResult(
    string Name,
    int PlannedRequests,
    long Requests,
    [property: JsonIgnore] TimeSpan Elapsed,
    StopReason StoppedBy,
    OutcomeCounts Outcomes,
    IReadOnlyDictionary<string, long> Problems,
    LatencySummary Latency,
    PaymentResult? Payments = null,
    [property: JsonIgnore] StampedeResult? Stampede = null)
{
    public double DurationSeconds => Elapsed.TotalSeconds;

    public double RequestsPerSecond => Elapsed > TimeSpan.Zero ? Requests / Elapsed.TotalSeconds : 0;
}
