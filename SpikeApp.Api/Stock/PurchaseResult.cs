using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <param name="Untraced">True when this answer's trace was dropped (see <see cref="StockTelemetry.KeepKnownSoldOutTrace"/>).</param>
/// <param name="Schedule">For <see cref="PurchaseStatus.NotOpen"/> and <see cref="PurchaseStatus.Closed"/>: the sale's.</param>
/// <param name="UntilOpening">For <see cref="PurchaseStatus.NotOpen"/>: how long until the opening, on Redis' clock.</param>
public readonly record struct PurchaseResult(PurchaseStatus Status, string? OrderId = null, bool Untraced = false,
    SaleSchedule Schedule = default, TimeSpan UntilOpening = default);
