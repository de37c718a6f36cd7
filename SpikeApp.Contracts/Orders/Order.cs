namespace SpikeApp.Contracts.Orders;

/// <param name="ExpiresAt">The payment deadline: unpaid then, the order expires and its unit goes back on sale.</param>
/// <param name="Epoch">The incarnation of the sale that sold it (see the ledger in README.md).</param>
public sealed record Order(
    string OrderId,
    string SaleId,
    string UserId,
    string ReplicaId,
    OrderStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? PaidAt,
    string? PaymentReference,
    long Epoch);
