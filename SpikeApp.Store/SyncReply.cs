namespace SpikeApp.Store;

/// <summary>Whether a sale can be used on the Redis server that answered.</summary>
public enum SaleAvailability
{
    Open,

    /// <summary>Redis has no such sale (never created, or its data was lost).</summary>
    Missing,

    /// <summary>Redis has the sale but it is not open on this server until the ledger has checked it.</summary>
    Closed,
}

/// <summary>What Redis answered a replica's sync.</summary>
/// <param name="AliveReplicas">Replicas that synced within the presence time-to-live, this one included.</param>
/// <param name="InDoubtMade">Per purchase in doubt asked about: true when Redis made that very order.</param>
public sealed record SyncReply(SaleAvailability Availability, SaleState State, int AliveReplicas, IReadOnlyList<bool> InDoubtMade)
{
    public static readonly SyncReply Missing = new(SaleAvailability.Missing, default, 0, []);

    public static readonly SyncReply Closed = new(SaleAvailability.Closed, default, 0, []);
}
