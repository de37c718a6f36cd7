namespace SpikeApp.Api.Store;

/// <summary>
/// The Lua scripts that change a sale. Each runs atomically inside Redis, so Redis alone decides who gets a unit.
/// Keys are <see cref="SaleKeys.ScriptKeys"/>, in that order.
/// </summary>
internal static class SaleScripts
{
    /// <summary>Reply codes of <see cref="Deduct"/>.</summary>
    public const long NoSale = 0, Created = 1, Existing = 2, SoldOut = 3, StaleEpoch = 4;

    /// <summary>
    /// ARGV: user id, replica id, the epoch the replica's slice belongs to. Returns {code, orderId}.
    /// The check is <c>sold &lt; total</c>: the seed's <c>total &gt;= sold</c> sold one unit too many.
    /// A buyer who already holds an order gets it back, even after the sale sold out, so a retried request is idempotent.
    /// </summary>
    public const string Deduct = """
        local sale = redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch')
        if not sale[1] then return {0, ''} end
        local epoch = sale[3]
        if epoch ~= ARGV[3] then return {4, ''} end
        local existing = redis.call('HGET', KEYS[2], ARGV[1])
        if existing then return {2, existing} end
        if tonumber(sale[2]) >= tonumber(sale[1]) then return {3, ''} end
        local sold = redis.call('HINCRBY', KEYS[1], 'sold', 1)
        local orderId = epoch .. '-' .. sold
        local now = redis.call('TIME')
        local createdAt = string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000))
        redis.call('HSET', KEYS[2], ARGV[1], orderId)
        redis.call('HSET', KEYS[3], orderId, ARGV[1] .. '|' .. ARGV[2] .. '|' .. createdAt)
        redis.call('XADD', KEYS[4], '*', 'order', orderId, 'user', ARGV[1], 'replica', ARGV[2])
        redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
        return {1, orderId}
        """;

    /// <summary>
    /// ARGV: total. Creates the sale at epoch 1 unless it exists, so a (re)start never resets a running sale.
    /// Returns {total, sold, epoch}.
    /// </summary>
    public const string CreateIfAbsent = """
        if redis.call('EXISTS', KEYS[1]) == 0 then
            redis.call('HSET', KEYS[1], 'total', ARGV[1], 'sold', 0, 'epoch', 1)
        end
        return redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch')
        """;

    /// <summary>
    /// ARGV: total, sale id, reset channel. Forgets every order, starts a new epoch and tells the replicas.
    /// UNLINK frees a large sale's keys in the background instead of blocking Redis. Returns {total, sold, epoch}.
    /// </summary>
    public const string Reset = """
        redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
        redis.call('HSET', KEYS[1], 'total', ARGV[1], 'sold', 0)
        redis.call('PUBLISH', ARGV[3], ARGV[2])
        return {ARGV[1], '0', tostring(epoch)}
        """;
}
