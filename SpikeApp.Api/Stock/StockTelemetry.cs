using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Spans and instruments of the purchase path. The dashboard shows a <c>stock.remote.deduct</c> span only for
/// purchases that got past the local slice: that difference is the point of the design.
/// </summary>
public sealed class StockTelemetry
{
    public const string ActivitySourceName = "SpikeApp.Stock";
    public const string MeterName = "SpikeApp.Stock";
    public const string LocalDeductSpan = "stock.local.deduct";
    public const string RemoteDeductSpan = "stock.remote.deduct";
    public const string RefillSpan = "stock.refill";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly Counter<long> _purchases;
    private readonly Histogram<double> _remoteDuration;
    private readonly Counter<long> _refills;
    private readonly Counter<long> _settled;
    private readonly Counter<long> _syncs;

    public StockTelemetry(IMeterFactory meterFactory, SaleRegistry registry, ReplicaIdentity replica)
    {
        var meter = meterFactory.Create(MeterName);
        _purchases = meter.CreateCounter<long>("spike.purchases", unit: "{purchase}",
            description: "Purchase attempts by outcome.");
        _remoteDuration = meter.CreateHistogram<double>("spike.stock.remote.duration", unit: "s",
            description: "Time of one remote (Redis) deduction.");
        _refills = meter.CreateCounter<long>("spike.stock.refills", unit: "{refill}",
            description: "Refills of a dry slice from what Redis still has, by result.");
        _settled = meter.CreateCounter<long>("spike.stock.settled", unit: "{unit}",
            description: "In-doubt units settled by a sync: sold (the order exists) or returned to the slice.");
        _syncs = meter.CreateCounter<long>("spike.stock.syncs", unit: "{call}",
            description: "Sync calls to Redis besides purchases, by reason: refill, reconcile, change (a reset or restock message).");
        meter.CreateObservableGauge("spike.stock.local.remaining", () => ObserveRemaining(registry, replica.Id),
            unit: "{unit}", description: "Units left in this replica's slice, per sale.");
    }

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
    public const string NoSale = "no_sale";
    public const string Overloaded = "overloaded";
    public const string Error = "error";
}
