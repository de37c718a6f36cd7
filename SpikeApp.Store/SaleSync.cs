namespace SpikeApp.Store;

/// <summary>What a replica learns from one sync with Redis.</summary>
/// <param name="AliveReplicas">Replicas that synced within the presence time-to-live, this one included.</param>
/// <param name="Made">Per purchase in doubt asked about: true when Redis made that very order.</param>
public sealed record SaleSync(SaleState State, int AliveReplicas, IReadOnlyList<bool> Made);
