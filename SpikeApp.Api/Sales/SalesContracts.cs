namespace SpikeApp.Api.Sales;

public sealed record PurchaseRequest(string? UserId);

public sealed record OrderResponse(string OrderId, string SaleId, string UserId);

public sealed record OrderDetails(string OrderId, string SaleId, string UserId, string ReplicaId, DateTimeOffset CreatedAt);

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
public sealed record ReplicaSliceResponse(string Id, int Slice, int SliceRemaining, long SoldHere, bool SoldOutKnown);
