using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SpikeApp.Orders;

/// <summary>
/// <c>order.persist</c> links to each purchase it stored: the trace context travels in the stream entry. Expiry's
/// <c>order.expire</c> and <c>spike.orders.expired</c> share this source and meter (SpikeApp.Store's ExpiryTelemetry).
/// </summary>
public sealed class OrdersTelemetry
{
    public const string ActivitySourceName = "SpikeApp.Orders";
    public const string MeterName = "SpikeApp.Orders";
    public const string PersistSpan = "order.persist";
    public const string LedgerCheckSpan = "ledger.check";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly Counter<long> _persisted;
    private readonly Histogram<double> _persistDuration;
    private readonly Counter<long> _ledgerChecks;
    private long _lag;

    public OrdersTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _persisted = meter.CreateCounter<long>("spike.orders.persisted", unit: "{order}",
            description: "Order changes stored in PostgreSQL, by the status they carry (pending, paid, expired).");
        _persistDuration = meter.CreateHistogram("spike.orders.persist.duration", unit: "s",
            description: "Time to store one batch and acknowledge it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _ledgerChecks = meter.CreateCounter<long>("spike.ledger.checks", unit: "{check}",
            description: "Sales Redis lost or had closed, checked against the ledger, by result: opened, restored, created, refused.");
        meter.CreateObservableGauge("spike.orders.stream.lag", () => Interlocked.Read(ref _lag), unit: "{entry}",
            description: "Order stream entries not yet stored and acknowledged, over every sale.");
    }

    public void RecordPersisted(string status, int count) =>
        _persisted.Add(count, new KeyValuePair<string, object?>("status", status));

    public void RecordPersistDuration(TimeSpan elapsed) => _persistDuration.Record(elapsed.TotalSeconds);

    public void RecordLedgerCheck(string result) => _ledgerChecks.Add(1, new KeyValuePair<string, object?>("result", result));

    public void SetLag(long entries) => Interlocked.Exchange(ref _lag, entries);
}
