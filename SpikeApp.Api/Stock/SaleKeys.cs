using StackExchange.Redis;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Redis keys of a sale. All share the hash tag <c>{saleId}</c> so a Redis Cluster keeps a sale in one slot,
/// which the atomic scripts need.
/// </summary>
public static class SaleKeys
{
    public const int Sale = 0;
    public const int Buyers = 1;
    public const int Orders = 2;
    public const int Stream = 3;
    public const int SoldByReplica = 4;

    /// <summary>Pub/sub channel on which a reset announces the sale id to every replica.</summary>
    public static readonly RedisChannel ResetChannel = RedisChannel.Literal("spike:sale-reset");

    /// <summary>The keys in script order: sale hash, buyers hash, orders hash, order stream, per-replica counts.</summary>
    public static RedisKey[] For(string saleId) =>
    [
        $"spike:{{{saleId}}}:sale",
        $"spike:{{{saleId}}}:buyers",
        $"spike:{{{saleId}}}:orders",
        $"spike:{{{saleId}}}:stream",
        $"spike:{{{saleId}}}:sold-by-replica",
    ];
}
