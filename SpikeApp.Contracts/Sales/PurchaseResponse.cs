namespace SpikeApp.Contracts.Sales;

/// <summary>A purchase's answer: the buyer's order (new, or the one they already held).</summary>
public sealed record PurchaseResponse(string OrderId, string SaleId, string UserId);
