using StackExchange.Redis;

namespace SpikeApp.Api.Store;

/// <summary>
/// The Redis keys of one sale. All share the hash tag <c>{saleId}</c> so a Redis Cluster keeps a sale in one slot,
/// which the atomic scripts need.
/// </summary>
public sealed class SaleKeys
{
    /// <summary>Pub/sub channel on which a reset announces the sale id to every replica.</summary>
    public static readonly RedisChannel ResetChannel = RedisChannel.Literal("spike:sale-reset");

    public SaleKeys(string saleId)
    {
        SaleId = saleId;
        var prefix = $"spike:{{{saleId}}}:";
        Sale = prefix + "sale";
        Buyers = prefix + "buyers";
        Orders = prefix + "orders";
        Stream = prefix + "stream";
        SoldByReplica = prefix + "sold-by-replica";
        ScriptKeys = [Sale, Buyers, Orders, Stream, SoldByReplica];
    }

    public string SaleId { get; }

    /// <summary>Hash: <c>total</c>, <c>sold</c>, <c>epoch</c>.</summary>
    public RedisKey Sale { get; }

    /// <summary>Hash: user id to order id.</summary>
    public RedisKey Buyers { get; }

    /// <summary>Hash: order id to <c>user|replica|createdAtMs</c>.</summary>
    public RedisKey Orders { get; }

    /// <summary>Stream of new orders, for the order processor.</summary>
    public RedisKey Stream { get; }

    /// <summary>Hash: replica id to units it sold in the current epoch.</summary>
    public RedisKey SoldByReplica { get; }

    /// <summary>Every key above, in the order the scripts name them (<c>KEYS[1]</c> to <c>KEYS[5]</c>); built once per sale.</summary>
    internal RedisKey[] ScriptKeys { get; }
}
