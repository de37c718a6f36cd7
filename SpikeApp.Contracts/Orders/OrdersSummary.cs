namespace SpikeApp.Contracts.Orders;

/// <summary>A sale's orders in PostgreSQL, by status.</summary>
public sealed record OrdersSummary(string SaleId, long Pending, long Paid, long Expired, long Voided, long Total);
