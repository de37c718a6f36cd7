namespace SpikeApp.Store;

/// <summary>
/// The Lua scripts of a sale. Each runs atomically inside Redis, so Redis alone decides who gets a unit.
/// Epochs are Redis' clock in microseconds (and above the previous one), so a sale created again after Redis lost its
/// data never reuses an epoch a replica still holds.
/// </summary>
internal static class SaleScripts
{
    /// <summary>Reply codes of <see cref="Deduct"/>.</summary>
    public const long NoSale = 0, Created = 1, Existing = 2, SoldOut = 3, StaleEpoch = 4;

    /// <summary>
    /// KEYS: <see cref="SaleKeys.DeductKeys"/>. ARGV: user id, replica id, the epoch the replica's slice belongs to, a new
    /// random order id. Returns {code, orderId}, and for a sale a third value, 1 when it sold the last unit. The check is <c>sold &lt; total</c>: the seed's <c>total &gt;= sold</c>
    /// sold one unit too many. A buyer who already holds an order gets it back, even after the sale sold out, so a
    /// retried request is idempotent.
    /// </summary>
    public const string Deduct = """
        local sale = redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch')
        if not sale[1] then return {0, ''} end
        if sale[3] ~= ARGV[3] then return {4, ''} end
        local existing = redis.call('HGET', KEYS[2], ARGV[1])
        if existing then return {2, existing} end
        if tonumber(sale[2]) >= tonumber(sale[1]) then return {3, ''} end
        local sold = redis.call('HINCRBY', KEYS[1], 'sold', 1)
        local orderId = ARGV[4]
        local now = redis.call('TIME')
        local createdAt = string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000))
        redis.call('HSET', KEYS[2], ARGV[1], orderId)
        redis.call('HSET', KEYS[3], orderId, ARGV[1] .. '|' .. ARGV[2] .. '|' .. createdAt)
        redis.call('XADD', KEYS[4], '*', 'order', orderId, 'user', ARGV[1], 'replica', ARGV[2])
        redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
        local soldOut = 0
        if sold >= tonumber(sale[1]) then soldOut = 1 end
        return {1, orderId, soldOut}
        """;

    /// <summary>
    /// KEYS: the sale hash. ARGV: total. Creates the sale unless it exists, so a (re)start never resets a running sale.
    /// Returns {total, sold, epoch}.
    /// </summary>
    public const string CreateIfAbsent = """
        if redis.call('EXISTS', KEYS[1]) == 0 then
            local now = redis.call('TIME')
            local epoch = string.format('%d', now[1] * 1000000 + now[2])
            redis.call('HSET', KEYS[1], 'total', ARGV[1], 'sold', 0, 'epoch', epoch)
        end
        return redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch')
        """;

    /// <summary>
    /// KEYS: <see cref="SaleKeys.DeductKeys"/>. ARGV: total, sale id, change channel. Forgets every order, starts a new
    /// epoch and tells the replicas. UNLINK frees a large sale's keys in the background instead of blocking Redis.
    /// Returns {total, sold, epoch}.
    /// </summary>
    public const string Reset = """
        local now = redis.call('TIME')
        local epoch = now[1] * 1000000 + now[2]
        local previous = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
        if epoch <= previous then epoch = previous + 1 end
        epoch = string.format('%d', epoch)
        redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        redis.call('HSET', KEYS[1], 'total', ARGV[1], 'sold', 0, 'epoch', epoch)
        redis.call('PUBLISH', ARGV[3], ARGV[2])
        return {ARGV[1], '0', epoch}
        """;

    /// <summary>
    /// KEYS: <see cref="SaleKeys.SyncKeys"/>. ARGV: replica id, presence time-to-live in ms, then a buyer and the order id
    /// of each purchase in doubt on this replica. Marks the replica alive, forgets replicas silent for longer than the
    /// time-to-live, and returns {total, sold, epoch, alive replicas, then 1 or 0 per purchase in doubt: that very
    /// purchase was made}, or {} when there is no sale.
    /// </summary>
    public const string Sync = """
        local sale = redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch')
        if not sale[1] then return {} end
        local now = redis.call('TIME')
        local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
        local ttl = tonumber(ARGV[2])
        redis.call('ZADD', KEYS[3], nowMs, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs - ttl)
        redis.call('PEXPIRE', KEYS[3], ttl * 10)
        local reply = {sale[1], sale[2], sale[3], redis.call('ZCARD', KEYS[3])}
        for i = 3, #ARGV, 2 do
            local made = 0
            if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then made = 1 end
            reply[#reply + 1] = made
        end
        return reply
        """;
}
