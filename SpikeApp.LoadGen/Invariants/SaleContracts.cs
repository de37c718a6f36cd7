namespace SpikeApp.LoadGen.Invariants;

/// <summary>The part of <c>GET /api/sales/{saleId}</c> the checks read (Redis' view of the sale).</summary>
public sealed record SaleSnapshot(string SaleId, long Total, long Sold, long Remaining, bool SoldOut, long Epoch);

/// <summary>
/// <c>GET /api/sales/{saleId}/orders/{orderId}</c> (Redis), or the order processor's
/// <c>GET /api/orders/{saleId}/{orderId}</c> (PostgreSQL): the same shape.
/// </summary>
/// <param name="Status"><c>pending</c>, <c>paid</c> or <c>expired</c>.</param>
public sealed record OrderSnapshot(
    string OrderId,
    string SaleId,
    string UserId,
    string? ReplicaId,
    DateTimeOffset? CreatedAt,
    string? Status = null,
    DateTimeOffset? ExpiresAt = null,
    string? PaymentReference = null)
{
    public const string Pending = "pending";
    public const string Paid = "paid";
    public const string Expired = "expired";

    /// <summary>Pending or paid: the order holds a unit.</summary>
    public bool IsLive => Status is Pending or Paid;
}

/// <summary>The order processor's <c>GET /api/orders/{saleId}/summary</c>: the sale's orders in PostgreSQL by status.</summary>
public sealed record StoredOrdersSummary(string SaleId, long Pending, long Paid, long Expired, long Total);
