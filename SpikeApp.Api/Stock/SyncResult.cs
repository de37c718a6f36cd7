namespace SpikeApp.Api.Stock;

/// <summary>The outcome of one sync: the sale as adopted (null when it no longer exists) and what was settled.</summary>
public sealed record SyncResult(SaleView? View, int AliveReplicas, int SettledSold = 0, int SettledReturned = 0);
