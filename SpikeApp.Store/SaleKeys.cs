using System.Collections.Concurrent;
using StackExchange.Redis;

namespace SpikeApp.Store;

/// <summary>
/// The Redis keys of one sale. All share the hash tag <c>{saleId}</c> so a Redis Cluster keeps a sale in one slot,
/// which the atomic scripts need.
/// </summary>
public sealed class SaleKeys
{
    /// <summary>Pub/sub channel on which a reset or a restock announces the sale id, so every replica re-reads it at once.</summary>
    public static readonly RedisChannel ChangedChannel = RedisChannel.Literal("spike:sale-changed");

    /// <summary>Set of every sale id ever created, so the order processor knows whose deadlines to watch.</summary>
    public static readonly RedisKey AllSales = "spike:sales";

    /// <summary>Sales whose keys are kept built; beyond it (a flood of odd sale ids) keys are built per call.</summary>
    private const int MaxCached = 4096;

    private static readonly ConcurrentDictionary<string, SaleKeys> Cache = new(StringComparer.Ordinal);

    private SaleKeys(string saleId)
    {
        SaleId = saleId;
        var prefix = $"spike:{{{saleId}}}:";
        Sale = prefix + "sale";
        Buyers = prefix + "buyers";
        Orders = prefix + "orders";
        Stream = prefix + "stream";
        SoldByReplica = prefix + "sold-by-replica";
        Replicas = prefix + "replicas";
        Deadlines = prefix + "deadlines";
        RestoreLock = prefix + "restore-lock";
        ScriptKeys = [Sale, Buyers, Orders, Stream, SoldByReplica, Deadlines];
        RestoreKeys = [.. ScriptKeys, RestoreLock];
        SyncKeys = [Sale, Buyers, Replicas];
        Scripts = new SaleScriptSet(saleId);
    }

    /// <summary>The keys of <paramref name="saleId"/>, built once for the sales in use rather than per purchase.</summary>
    public static SaleKeys For(string saleId) =>
        Cache.TryGetValue(saleId, out var keys) ? keys
        : Cache.Count < MaxCached ? Cache.GetOrAdd(saleId, static id => new SaleKeys(id))
        : new SaleKeys(saleId);

    public string SaleId { get; }

    /// <summary>Hash: <c>total</c>, <c>sold</c>, <c>epoch</c> (the incarnation), <c>round</c> (from a create or reset to the next) and <c>seq</c> (stream entries of the epoch).</summary>
    public RedisKey Sale { get; }

    /// <summary>Hash: user id to order id.</summary>
    public RedisKey Buyers { get; }

    /// <summary>Hash: order id to its record (see <see cref="SaleScripts"/>), every round's.</summary>
    public RedisKey Orders { get; }

    /// <summary>Stream of every change of the sale's orders and incarnations, for the order processor.</summary>
    public RedisKey Stream { get; }

    /// <summary>Hash: replica id to units it sold in the current epoch.</summary>
    public RedisKey SoldByReplica { get; }

    /// <summary>Sorted set: pending order id to its payment deadline (ms); what expiry watches.</summary>
    public RedisKey Deadlines { get; }

    /// <summary>Sorted set: replica id to the time of its last sync, so a refill knows how many replicas are alive.</summary>
    public RedisKey Replicas { get; }

    /// <summary>String: the token of the one process restoring the sale from the ledger, while it does.</summary>
    public RedisKey RestoreLock { get; }

    /// <summary>The keys of the deduct, begin, pay and expire scripts, in their <c>KEYS[n]</c> order.</summary>
    internal RedisKey[] ScriptKeys { get; }

    /// <summary>The keys of the restore script, in its <c>KEYS[n]</c> order.</summary>
    internal RedisKey[] RestoreKeys { get; }

    /// <summary>The scripts that run only on a sale opened on this Redis server.</summary>
    internal SaleScriptSet Scripts { get; }

    /// <summary>The keys of the sync script, in its <c>KEYS[n]</c> order.</summary>
    internal RedisKey[] SyncKeys { get; }
}
