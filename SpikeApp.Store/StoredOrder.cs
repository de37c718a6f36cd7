namespace SpikeApp.Store;

/// <summary>Where an order is in its life: pending until paid or past its deadline.</summary>
public enum OrderStatus
{
    Pending,
    Paid,
    Expired,
}

/// <summary>An order as stored in Redis.</summary>
public sealed record StoredOrder(
    string OrderId,
    string SaleId,
    string UserId,
    string ReplicaId,
    OrderStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? PaidAt,
    string? PaymentReference);
