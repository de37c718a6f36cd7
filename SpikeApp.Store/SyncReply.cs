namespace SpikeApp.Store;

/// <summary>What Redis answered a replica's sync.</summary>
/// <param name="AliveReplicas">Replicas that synced within the presence time-to-live, this one included.</param>
/// <param name="InDoubtMade">Per purchase in doubt asked about: true when Redis made that very order.</param>
public sealed record SyncReply(SaleState State, int AliveReplicas, IReadOnlyList<bool> InDoubtMade);
