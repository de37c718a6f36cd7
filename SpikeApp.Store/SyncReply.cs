namespace SpikeApp.Store;

public enum SaleAvailability
{
    Open,
    Missing,
    Closed,
}

/// <param name="InDoubtMade">Per purchase in doubt asked about: true when Redis made that very order.</param>
/// <param name="RedisNowMicroseconds">Redis' clock when it ran the sync, so a replica can tell its own clock's offset.</param>
public sealed record SyncReply(SaleAvailability Availability, SaleState State, int AliveReplicas, IReadOnlyList<bool> InDoubtMade, long RedisNowMicroseconds = 0)
{
    public static readonly SyncReply Missing = new(SaleAvailability.Missing, default, 0, []);

    public static readonly SyncReply Closed = new(SaleAvailability.Closed, default, 0, []);
}
