namespace SpikeApp.Api.Stock;

/// <param name="Untraced">True when this answer's trace was dropped (see <see cref="StockTelemetry.KeepKnownSoldOutTrace"/>).</param>
public readonly record struct PurchaseResult(PurchaseStatus Status, string? OrderId = null, bool Untraced = false);
