namespace SpikeApp.Store;

/// <summary>An order as stored in Redis.</summary>
public sealed record StoredOrder(string OrderId, string SaleId, string UserId, string ReplicaId, DateTimeOffset CreatedAt);
