namespace SpikeApp.Contracts.Sales;

/// <summary>A sale as Redis holds it, with the answering replica's own view of it.</summary>
/// <param name="SoldByReplica">Units each replica sold in this epoch.</param>
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
