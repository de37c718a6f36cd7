namespace SpikeApp.Contracts.Sales;

/// <summary>A sale as Redis holds it, with the answering replica's own view of it.</summary>
public sealed record SaleResponse(
    string SaleId,
    long Total,
    long Sold,
    long Remaining,
    bool SoldOut,
    long Epoch,
    IReadOnlyDictionary<string, long> SoldByReplica,
    ReplicaSliceResponse Replica);

/// <param name="Slice">Units this replica was granted in this epoch: its first slice plus every refill.</param>
/// <param name="InDoubt">Units held by purchases whose answer from Redis was lost; the next sync settles them.</param>
public sealed record ReplicaSliceResponse(string Id, long Slice, int SliceRemaining, long SoldHere, bool SoldOutKnown, int InDoubt);
