namespace SpikeApp.Contracts.Orders;

/// <summary>
/// An order, as Redis holds it, as the stream carries it to PostgreSQL, and as both the sale API and the order
/// processor's read API answer it.
/// </summary>
/// <param name="ReplicaId">The replica that sold it.</param>
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
