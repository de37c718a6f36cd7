namespace SpikeApp.Api.Stock;

/// <summary>What one sync did: the sale as adopted (null when it no longer exists) and the in-doubt units it settled.</summary>
public sealed record SyncOutcome(SaleView? Sale, int AliveReplicas, int SettledSold = 0, int SettledReturned = 0);
