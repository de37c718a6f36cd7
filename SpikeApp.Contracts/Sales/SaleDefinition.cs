namespace SpikeApp.Contracts.Sales;

/// <summary>The body of an operator's <c>PUT /api/sales/{saleId}</c>.</summary>
public sealed record SaleDefinition(int? Total);
