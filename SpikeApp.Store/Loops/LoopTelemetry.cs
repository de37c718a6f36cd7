using System.Diagnostics.Metrics;

namespace SpikeApp.Store.Loops;

/// <summary>The <c>SpikeApp.Store</c> meter: what the background loops over the store could not do.</summary>
public sealed class LoopTelemetry
{
    public const string MeterName = "SpikeApp.Store";

    private readonly Counter<long> _failures;

    public LoopTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _failures = meter.CreateCounter<long>("spike.loop.failures", unit: "{failure}",
            description: "Rounds of a background loop that failed (Redis or PostgreSQL did not answer), by loop: reconcile, change, expiry, persist, ledger; each is retried after a back-off.");
    }

    public void RecordFailure(string loop) => _failures.Add(1, new KeyValuePair<string, object?>("loop", loop));
}
