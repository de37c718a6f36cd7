namespace SpikeApp.Api.Sales;

public sealed record PurchaseRequest(string? UserId);

public sealed record OrderResponse(string OrderId, string SaleId, string UserId);

/// <param name="Status"><c>pending</c> until paid or expired; <c>paid</c>; <c>expired</c> (its unit went back on sale).</param>
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

/// <summary>A simulated payment: the buyer and the payment provider's reference.</summary>
public sealed record PaymentRequest(string? UserId, string? PaymentReference);

public sealed record SaleDefinition(int? Total);

public sealed record SaleResponse(
    string SaleId,
    long Total,
    long Sold,
    long Remaining,
    bool SoldOut,
    long Epoch,
    IReadOnlyDictionary<string, long> SoldByReplica,
    ReplicaSliceResponse Replica);

/// <summary>The answering replica's own view of the sale.</summary>
/// <param name="Slice">Units this replica was granted in this epoch: its first slice plus every refill.</param>
/// <param name="InDoubt">Units held by purchases whose answer from Redis was lost; the next sync settles them.</param>
public sealed record ReplicaSliceResponse(string Id, long Slice, int SliceRemaining, long SoldHere, bool SoldOutKnown, int InDoubt);
