using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SpikeApp.Store.Expiry;

/// <summary>
/// <c>order.expire</c> and <c>spike.orders.expired</c> keep the source and meter the order processor gave them
/// (<c>SpikeApp.Orders</c>), so dashboards find them wherever expiry now runs: a replica reports under that name too.
/// </summary>
public sealed class ExpiryTelemetry
{
    public const string ActivitySourceName = "SpikeApp.Orders";
    public const string MeterName = "SpikeApp.Orders";
    public const string ExpireSpan = "order.expire";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly Counter<long> _expired;

    public ExpiryTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _expired = meter.CreateCounter<long>("spike.orders.expired", unit: "{order}",
            description: "Unpaid orders expired by this process; each put a unit back on sale.");
    }

    public void RecordExpired(int count) => _expired.Add(count);
}
