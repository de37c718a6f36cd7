namespace SpikeApp.Contracts.Sales;

/// <summary>A sale as Redis holds it, with the answering replica's own view of it.</summary>
/// <param name="State">One of <see cref="SaleStates"/>, as of <paramref name="ServerTime"/>.</param>
/// <param name="ServerTime">Redis' clock as the answering replica reads it: the clock that opens and closes the sale.</param>
public sealed record SaleResponse(
    string SaleId,
    long Total,
    long Sold,
    long Remaining,
    bool SoldOut,
    long Epoch,
    IReadOnlyDictionary<string, long> SoldByReplica,
    ReplicaSliceResponse Replica,
    string State = SaleStates.Open,
    DateTimeOffset OpensAt = default,
    DateTimeOffset? ClosesAt = null,
    DateTimeOffset ServerTime = default);

/// <param name="Slice">Units this replica was granted in this epoch: its first slice plus every refill.</param>
/// <param name="InDoubt">Units held by purchases whose answer from Redis was lost; the next sync settles them.</param>
public sealed record ReplicaSliceResponse(string Id, long Slice, int SliceRemaining, long SoldHere, bool SoldOutKnown, int InDoubt);
