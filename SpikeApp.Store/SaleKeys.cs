using System.Collections.Concurrent;
using StackExchange.Redis;

namespace SpikeApp.Store;

/// <summary>A sale's keys share the hash tag <c>{saleId}</c>: a Redis Cluster keeps them in one slot, as the scripts need.</summary>
public sealed class SaleKeys
{
    public static readonly RedisChannel ChangedChannel = RedisChannel.Literal("spike:sale-changed");

    /// <summary>Every sale id ever created, so the order processor knows whose stream and deadlines to watch.</summary>
    public static readonly RedisKey AllSales = "spike:sales";

    /// <summary>Beyond it (a flood of odd sale ids) keys are built per call rather than kept.</summary>
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

    public static SaleKeys For(string saleId) =>
        Cache.TryGetValue(saleId, out var keys) ? keys
        : Cache.Count < MaxCached ? Cache.GetOrAdd(saleId, static id => new SaleKeys(id))
        : new SaleKeys(saleId);

    public string SaleId { get; }

    /// <summary>Hash: <c>total</c>, <c>sold</c>, <c>epoch</c> (the incarnation), <c>round</c> (from a create or reset to the next) and <c>seq</c> (stream entries of the epoch).</summary>
    public RedisKey Sale { get; }

    public RedisKey Buyers { get; }

    /// <summary>Hash: order id to its record (see <see cref="SaleScripts"/>), every round's.</summary>
    public RedisKey Orders { get; }

    public RedisKey Stream { get; }

    public RedisKey SoldByReplica { get; }

    /// <summary>Sorted set: pending order id to its payment deadline (ms); what expiry watches.</summary>
    public RedisKey Deadlines { get; }

    /// <summary>Sorted set: replica id to the time of its last sync, so a refill knows how many replicas are alive.</summary>
    public RedisKey Replicas { get; }

    public RedisKey RestoreLock { get; }

    internal RedisKey[] ScriptKeys { get; }

    internal RedisKey[] RestoreKeys { get; }

    internal SaleScriptSet Scripts { get; }

    internal RedisKey[] SyncKeys { get; }
}
