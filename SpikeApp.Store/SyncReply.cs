namespace SpikeApp.Store;

public enum SaleAvailability
{
    Open,
    Missing,
    Closed,
}

/// <param name="InDoubtMade">Per purchase in doubt asked about: true when Redis made that very order.</param>
public sealed record SyncReply(SaleAvailability Availability, SaleState State, int AliveReplicas, IReadOnlyList<bool> InDoubtMade)
{
    public static readonly SyncReply Missing = new(SaleAvailability.Missing, default, 0, []);

    public static readonly SyncReply Closed = new(SaleAvailability.Closed, default, 0, []);
}
