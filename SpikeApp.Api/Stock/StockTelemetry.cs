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

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly Counter<long> _purchases;
    private readonly Histogram<double> _remoteDuration;

    public StockTelemetry(IMeterFactory meterFactory, SaleRegistry registry, ReplicaIdentity replica)
    {
        var meter = meterFactory.Create(MeterName);
        _purchases = meter.CreateCounter<long>("spike.purchases", unit: "{purchase}",
            description: "Purchase attempts by outcome.");
        _remoteDuration = meter.CreateHistogram<double>("spike.stock.remote.duration", unit: "s",
            description: "Time of one remote (Redis) deduction.");
        meter.CreateObservableGauge("spike.stock.local.remaining", () => ObserveRemaining(registry, replica.Id),
            unit: "{unit}", description: "Units left in this replica's slice, per sale.");
    }

    public void RecordOutcome(string outcome) =>
        _purchases.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

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
