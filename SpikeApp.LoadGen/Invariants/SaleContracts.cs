namespace SpikeApp.LoadGen.Invariants;

/// <summary>The part of <c>GET /api/sales/{saleId}</c> the checks read (Redis' view of the sale).</summary>
public sealed record SaleSnapshot(string SaleId, long Total, long Sold, long Remaining, bool SoldOut, long Epoch);

/// <summary><c>GET /api/sales/{saleId}/orders/{orderId}</c>.</summary>
public sealed record OrderSnapshot(string OrderId, string SaleId, string UserId, string? ReplicaId, DateTimeOffset? CreatedAt);
