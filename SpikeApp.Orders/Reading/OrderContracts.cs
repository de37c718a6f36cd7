namespace SpikeApp.Orders.Reading;

/// <summary>A sale's orders in PostgreSQL, by status.</summary>
public sealed record OrdersSummary(string SaleId, long Pending, long Paid, long Expired, long Total);

/// <summary>An order as PostgreSQL holds it; the same shape as the API's order, read from the other store.</summary>
/// <param name="Status"><c>pending</c>, <c>paid</c> or <c>expired</c>: the latest change the processor has stored.</param>
public sealed record OrderDetails(
    string OrderId,
    string SaleId,
    string UserId,
    string ReplicaId,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? PaidAt,
    string? PaymentReference);
