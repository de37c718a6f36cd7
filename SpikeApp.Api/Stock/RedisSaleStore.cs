using StackExchange.Redis;

namespace SpikeApp.Api.Stock;

/// <summary>A sale as Redis, the only authority, holds it.</summary>
public readonly record struct SaleState(long Total, long Sold, long Epoch)
{
    public bool SoldOut => Sold >= Total;
}

/// <summary>An order as stored in Redis.</summary>
public sealed record StoredOrder(string OrderId, string SaleId, string UserId, string ReplicaId, DateTimeOffset CreatedAt);

/// <summary>What Redis answered to one remote deduction.</summary>
public readonly record struct RemoteDeduction(long Code, string? OrderId, long Epoch, long Total);

/// <summary>
/// Every Redis round trip of the sale service. One shared multiplexer; scripts are loaded once so purchases
/// go out as EVALSHA (StackExchange.Redis falls back to EVAL by itself if Redis lost its script cache).
/// Each round trip is a client span (<see cref="StockTelemetry.StartRedisCall"/>).
/// </summary>
public sealed class RedisSaleStore(IConnectionMultiplexer redis)
{
    private IDatabase Database => redis.GetDatabase();

    private string? _server;

    /// <summary>"host:port" of the Redis server, for the spans' server attributes.</summary>
    private string Server => _server ??= redis.GetEndPoints() switch
    {
        [System.Net.IPEndPoint ip, ..] => $"{ip.Address}:{ip.Port}",
        [System.Net.DnsEndPoint dns, ..] => $"{dns.Host}:{dns.Port}",
        _ => "redis",
    };

    /// <summary>Loads the scripts on every server so later calls send only their SHA1.</summary>
    public async Task LoadScriptsAsync()
    {
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            await server.ScriptLoadAsync(SaleScripts.Deduct);
            await server.ScriptLoadAsync(SaleScripts.CreateIfAbsent);
            await server.ScriptLoadAsync(SaleScripts.Reset);
        }
    }

    public async Task<RemoteDeduction> DeductAsync(LocalSale sale, string userId, string replicaId)
    {
        using var span = StockTelemetry.StartRedisCall("EVALSHA", Server);
        var reply = (RedisResult[])(await Database.ScriptEvaluateAsync(
            SaleScripts.Deduct, sale.Keys, [userId, replicaId, sale.EpochArgument]))!;

        return new RemoteDeduction(
            (long)reply[0],
            (string?)reply[1] is { Length: > 0 } orderId ? orderId : null,
            (long)reply[2],
            (long)reply[3]);
    }

    public async Task<SaleState> CreateIfAbsentAsync(string saleId, long total)
    {
        using var span = StockTelemetry.StartRedisCall("EVALSHA", Server);
        var reply = await Database.ScriptEvaluateAsync(SaleScripts.CreateIfAbsent, [SaleKeys.For(saleId)[SaleKeys.Sale]], [total]);
        return ToState((RedisResult[])reply!)!.Value;
    }

    public async Task<SaleState> ResetAsync(string saleId, long total)
    {
        using var span = StockTelemetry.StartRedisCall("EVALSHA", Server);
        var reply = await Database.ScriptEvaluateAsync(
            SaleScripts.Reset, SaleKeys.For(saleId), [total, saleId, SaleKeys.ResetChannel.ToString()]);
        return ToState((RedisResult[])reply!)!.Value;
    }

    public async Task<SaleState?> GetAsync(string saleId)
    {
        using var span = StockTelemetry.StartRedisCall("HMGET", Server);
        var values = await Database.HashGetAsync(SaleKeys.For(saleId)[SaleKeys.Sale], SaleFields);
        return values[0].IsNull ? null : new SaleState((long)values[0], (long)values[1], (long)values[2]);
    }

    /// <summary>Units sold by each replica in the current epoch.</summary>
    public async Task<Dictionary<string, long>> GetSoldByReplicaAsync(string saleId)
    {
        using var span = StockTelemetry.StartRedisCall("HGETALL", Server);
        var entries = await Database.HashGetAllAsync(SaleKeys.For(saleId)[SaleKeys.SoldByReplica]);
        return entries.ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value, StringComparer.Ordinal);
    }

    public async Task<StoredOrder?> GetOrderAsync(string saleId, string orderId)
    {
        using var span = StockTelemetry.StartRedisCall("HGET", Server);
        var value = await Database.HashGetAsync(SaleKeys.For(saleId)[SaleKeys.Orders], orderId);
        if (value.IsNull)
        {
            return null;
        }

        // Stored by the deduct script as "user|replica|createdAtMs"; ids cannot contain '|'.
        var parts = value.ToString().Split('|');
        return new StoredOrder(orderId, saleId, parts[0], parts[1], DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The order a buyer holds in a sale, if any: how a client settles a purchase whose answer it never got.</summary>
    public async Task<StoredOrder?> GetOrderOfBuyerAsync(string saleId, string userId)
    {
        string? orderId;
        using (StockTelemetry.StartRedisCall("HGET", Server))
        {
            orderId = await Database.HashGetAsync(SaleKeys.For(saleId)[SaleKeys.Buyers], userId);
        }

        return orderId is null ? null : await GetOrderAsync(saleId, orderId);
    }

    private static readonly RedisValue[] SaleFields = ["total", "sold", "epoch"];

    private static SaleState? ToState(RedisResult[] reply) =>
        reply[0].IsNull ? null : new SaleState((long)reply[0], (long)reply[1], (long)reply[2]);
}
