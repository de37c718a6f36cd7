namespace SpikeApp.Contracts.Sales;

public sealed record PurchaseRequest(string? UserId);
