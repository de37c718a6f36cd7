using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

public sealed class RunCounters
{
    private long _lastSoldOutTicks;

    public OutcomeCounter<Outcome> Purchases { get; } = new(OutcomeKinds.Purchase);

    public OutcomeCounter<PaymentOutcome> Payments { get; } = new(OutcomeKinds.Payment);

    /// <summary>When the last sold-out answer came (UTC), if one did: stock released before then should have been sold again.</summary>
    public DateTimeOffset? LastSoldOut => Volatile.Read(ref _lastSoldOutTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void RecordPurchase(in Classification<Outcome> result)
    {
        Purchases.Record(result);
        if (result.Outcome == Outcome.SoldOut)
        {
            AtomicExtremes.Max(ref _lastSoldOutTicks, DateTime.UtcNow.Ticks);
        }
    }

    public OutcomeCounts PurchaseCounts() => new(Purchases.Count);

    public PaymentCounts PaymentCounts() => new(Payments.Count);
}
