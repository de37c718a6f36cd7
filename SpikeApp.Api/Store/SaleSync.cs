namespace SpikeApp.Api.Store;

/// <summary>What a replica learns from one sync with Redis.</summary>
/// <param name="AliveReplicas">Replicas that synced within the presence time-to-live, this one included.</param>
/// <param name="HeldHere">Per in-doubt buyer asked about: true when that buyer holds an order made by this replica.</param>
public sealed record SaleSync(SaleState State, int AliveReplicas, IReadOnlyList<bool> HeldHere);
