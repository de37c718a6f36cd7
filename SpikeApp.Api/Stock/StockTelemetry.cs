using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Stock;

/// <summary>A <c>stock.remote.deduct</c> span only for purchases past the local slice: that difference is the point of the design.</summary>
public sealed class StockTelemetry
{
    public const string ActivitySourceName = "SpikeApp.Stock";
    public const string MeterName = "SpikeApp.Stock";
    public const string LocalDeductSpan = "stock.local.deduct";
    public const string RemoteDeductSpan = "stock.remote.deduct";
    public const string RefillSpan = "stock.refill";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>The SDK's default bounds (0, 5, 10, ...) suit milliseconds and would put every call, in seconds, in the first bucket.</summary>
    public static readonly IReadOnlyList<double> RemoteDurationBuckets =
        [0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly Counter<long> _purchases;
    private readonly Histogram<double> _remoteDuration;
    private readonly Counter<long> _refills;
    private readonly Counter<long> _settled;
    private readonly Counter<long> _syncs;
    private readonly Counter<long> _breakerTransitions;

    private readonly TraceIdRatio _soldOutTraces;

    public StockTelemetry(IMeterFactory meterFactory, SaleRegistry registry, ReplicaIdentity replica, IOptions<SpikeOptions> options)
    {
        _soldOutTraces = new TraceIdRatio(options.Value.SoldOutTraceRatio);
        var meter = meterFactory.Create(MeterName);
        _purchases = meter.CreateCounter<long>("spike.purchases", unit: "{purchase}",
            description: "Purchase attempts by outcome.");
        _remoteDuration = meter.CreateHistogram("spike.stock.remote.duration", unit: "s",
            description: "Time of one remote (Redis) deduction.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RemoteDurationBuckets });
        _refills = meter.CreateCounter<long>("spike.stock.refills", unit: "{refill}",
            description: "Refills of a dry slice from what Redis still has, by result.");
        _settled = meter.CreateCounter<long>("spike.stock.settled", unit: "{unit}",
            description: "In-doubt units settled by a sync: sold (the order exists) or returned to the slice.");
        _syncs = meter.CreateCounter<long>("spike.stock.syncs", unit: "{call}",
            description: "Sync calls to Redis besides purchases, by reason: refill, reconcile, change (a reset or restock message).");
        _breakerTransitions = meter.CreateCounter<long>("spike.breaker.transitions", unit: "{transition}",
            description: "Changes of the Redis breaker, by the state entered: open (requests answer 503 without Redis), half_open (one probe asks Redis), closed.");
        meter.CreateObservableGauge("spike.stock.local.remaining", () => ObserveRemaining(registry, replica.Id),
            unit: "{unit}", description: "Units left in this replica's slice, per sale.");
    }

    /// <summary>A known "sold out" is the flood after a sale ends and says nothing new: only a share keeps its trace.</summary>
    public bool KeepKnownSoldOutTrace(Activity? request) => _soldOutTraces.KeepOrDrop(request);

    public void RecordOutcome(string outcome) =>
        _purchases.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordRefill(string result) =>
        _refills.Add(1, new KeyValuePair<string, object?>("result", result));

    public void RecordSettled(int sold, int returned)
    {
        if (sold > 0)
        {
            _settled.Add(sold, new KeyValuePair<string, object?>("result", "sold"));
        }

        if (returned > 0)
        {
            _settled.Add(returned, new KeyValuePair<string, object?>("result", "returned"));
        }
    }

    public void RecordSync(string reason) =>
        _syncs.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Values of the <c>reason</c> tag of <c>spike.stock.syncs</c>.</summary>
    public static class SyncReasons
    {
        public const string Refill = "refill";
        public const string Reconcile = "reconcile";
        public const string Change = "change";
    }

    public void RecordBreakerTransition(string state) =>
        _breakerTransitions.Add(1, new KeyValuePair<string, object?>("state", state));

    /// <summary>Values of the <c>state</c> tag of <c>spike.breaker.transitions</c>.</summary>
    public static class BreakerStates
    {
        public const string Open = "open";
        public const string HalfOpen = "half_open";
        public const string Closed = "closed";
    }

    public void RecordRemoteDuration(TimeSpan elapsed, string result) =>
        _remoteDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("result", result));

    private static IEnumerable<Measurement<int>> ObserveRemaining(SaleRegistry registry, string replicaId)
    {
        foreach (var sale in registry.Sales)
        {
            yield return new Measurement<int>(sale.Stock.Remaining,
                new KeyValuePair<string, object?>("sale", sale.SaleId),
                new KeyValuePair<string, object?>("replica", replicaId));
        }
    }
}

/// <summary>Values of the <c>outcome</c> tag of <c>spike.purchases</c>.</summary>
public static class PurchaseOutcomes
{
    public const string Success = "success";
    public const string Existing = "existing";
    public const string SoldOutLocal = "sold_out_local";
    public const string SoldOutRemote = "sold_out_remote";
    public const string SliceDry = "slice_dry";
    public const string NoSale = "no_sale";
    public const string Restoring = "restoring";

    /// <summary>Answered from memory (or by Redis' clock) before the sale's opening.</summary>
    public const string NotOpen = "not_open";

    /// <summary>Answered from memory after the sale's closing.</summary>
    public const string Closed = "closed";

    /// <summary>503 at once: the Redis breaker is open, so no Redis call was made.</summary>
    public const string BreakerOpen = "breaker_open";
    public const string Overloaded = "overloaded";
    public const string RateLimited = "rate_limited";
    public const string Error = "error";
}
