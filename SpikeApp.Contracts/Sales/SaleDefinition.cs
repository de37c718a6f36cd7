namespace SpikeApp.Contracts.Sales;

/// <summary>The body of an operator's <c>PUT /api/sales/{saleId}</c>.</summary>
/// <param name="OpensAt">When buyers may start buying; none: at once.</param>
/// <param name="ClosesAt">When new purchases end (pending orders may still be paid); none: never.</param>
public sealed record SaleDefinition(int? Total, DateTimeOffset? OpensAt = null, DateTimeOffset? ClosesAt = null);
