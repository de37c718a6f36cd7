namespace SpikeApp.Store;

/// <summary>
/// The Lua scripts of a sale. Each runs atomically inside Redis, so Redis alone decides who gets a unit, and whether an
/// order ends paid or expired. Epochs are Redis' clock in microseconds (and above the previous one), so a sale created
/// again after Redis lost its data never reuses an epoch a replica still holds.
/// </summary>
internal static class SaleScripts
{
    /// <summary>Reply codes of <see cref="Deduct"/>.</summary>
    public const long NoSale = 0, Created = 1, Existing = 2, SoldOut = 3, EpochChanged = 4;

    /// <summary>Reply codes of <see cref="Pay"/>.</summary>
    public const long NoOrder = 0, Paid = 1, Expired = 2, NotYours = 3;

    /// <summary>Lua that reads Redis' clock in milliseconds into <c>nowMs</c>.</summary>
    private const string NowMs = """
        local clock = redis.call('TIME')
        local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
        """;

    /// <summary>
    /// Lua functions over an order record <c>user|replica|createdAtMs|expiresAtMs|status|paidAtMs|paymentReference</c>
    /// (ids never contain '|'), and the one way an order expires: its unit goes back on sale (<c>sold - 1</c>), the
    /// buyer may buy again, the processor hears of it on the stream. KEYS: <see cref="SaleKeys.ScriptKeys"/>.
    /// </summary>
    private const string Orders = """
        local function parse(order)
            local user, replica, createdAt, expiresAt, status, paidAt, reference =
                string.match(order, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
            return {user = user, replica = replica, createdAt = createdAt, expiresAt = tonumber(expiresAt),
                status = status, paidAt = paidAt, reference = reference}
        end
        local function format(o)
            return o.user .. '|' .. o.replica .. '|' .. o.createdAt .. '|' .. string.format('%d', o.expiresAt) .. '|' ..
                o.status .. '|' .. o.paidAt .. '|' .. o.reference
        end
        local function expire(orderId, o)
            o.status = 'expired'
            redis.call('HSET', KEYS[3], orderId, format(o))
            redis.call('ZREM', KEYS[6], orderId)
            redis.call('HINCRBY', KEYS[1], 'sold', -1)
            redis.call('HINCRBY', KEYS[5], o.replica, -1)
            if redis.call('HGET', KEYS[2], o.user) == orderId then redis.call('HDEL', KEYS[2], o.user) end
            redis.call('XADD', KEYS[4], '*', 'type', 'expired', 'order', orderId, 'user', o.user, 'replica', o.replica,
                'createdAt', o.createdAt, 'expiresAt', string.format('%d', o.expiresAt))
            return format(o)
        end
        """;

    /// <summary>
    /// KEYS: <see cref="SaleKeys.ScriptKeys"/>. ARGV: user id, replica id, the epoch the replica's slice belongs to, a new
    /// random order id, the payment window in ms, the purchase's trace context. Returns {code, orderId}, and for a sale a
    /// third value, 1 when it sold the last unit. The check is <c>sold &lt; total</c>: the seed's <c>total &gt;= sold</c>
    /// sold one unit too many. A buyer who already holds an order gets it back, even after the sale sold out, so a
    /// retried request is idempotent. The order is pending until paid, with its deadline in <see cref="SaleKeys.Deadlines"/>.
    /// </summary>
    public const string Deduct = $$"""
        local sale = redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch')
        if not sale[1] then return {0, ''} end
        if sale[3] ~= ARGV[3] then return {4, ''} end
        local existing = redis.call('HGET', KEYS[2], ARGV[1])
        if existing then return {2, existing} end
        if tonumber(sale[2]) >= tonumber(sale[1]) then return {3, ''} end
        local sold = redis.call('HINCRBY', KEYS[1], 'sold', 1)
        local orderId = ARGV[4]
        {{NowMs}}
        local createdAt = string.format('%d', nowMs)
        local expiresAt = string.format('%d', nowMs + tonumber(ARGV[5]))
        redis.call('HSET', KEYS[2], ARGV[1], orderId)
        redis.call('HSET', KEYS[3], orderId, ARGV[1] .. '|' .. ARGV[2] .. '|' .. createdAt .. '|' .. expiresAt .. '|pending||')
        redis.call('ZADD', KEYS[6], expiresAt, orderId)
        redis.call('XADD', KEYS[4], '*', 'type', 'created', 'order', orderId, 'user', ARGV[1], 'replica', ARGV[2],
            'createdAt', createdAt, 'expiresAt', expiresAt, 'traceparent', ARGV[6])
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
    /// KEYS: <see cref="SaleKeys.ScriptKeys"/>. ARGV: total, sale id, change channel. Forgets every order, starts a new
    /// epoch and tells the replicas. UNLINK frees a large sale's keys in the background instead of blocking Redis.
    /// Returns {total, sold, epoch}.
    /// </summary>
    public const string Reset = """
        local now = redis.call('TIME')
        local epoch = now[1] * 1000000 + now[2]
        local previous = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
        if epoch <= previous then epoch = previous + 1 end
        epoch = string.format('%d', epoch)
        redis.call('UNLINK', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
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

    /// <summary>
    /// KEYS: <see cref="SaleKeys.ScriptKeys"/>. ARGV: order id, user id, payment reference, sale id, change channel.
    /// Pays a pending order before its deadline; past it, expires the order on the spot (paying and expiring are decided
    /// here, atomically: an order ends paid or expired, never both). Paying a paid order again answers the same.
    /// Returns {code, order record}.
    /// </summary>
    public const string Pay = $$"""
        {{Orders}}
        local record = redis.call('HGET', KEYS[3], ARGV[1])
        if not record then return {0, ''} end
        local o = parse(record)
        if o.user ~= ARGV[2] then return {3, ''} end
        if o.status == 'paid' then return {1, record} end
        if o.status == 'expired' then return {2, record} end
        {{NowMs}}
        if nowMs >= o.expiresAt then
            local expired = expire(ARGV[1], o)
            redis.call('PUBLISH', ARGV[5], ARGV[4])
            return {2, expired}
        end
        o.status = 'paid'
        o.paidAt = string.format('%d', nowMs)
        o.reference = ARGV[3]
        redis.call('HSET', KEYS[3], ARGV[1], format(o))
        redis.call('ZREM', KEYS[6], ARGV[1])
        redis.call('XADD', KEYS[4], '*', 'type', 'paid', 'order', ARGV[1], 'user', o.user, 'replica', o.replica,
            'createdAt', o.createdAt, 'expiresAt', string.format('%d', o.expiresAt), 'paidAt', o.paidAt, 'reference', o.reference)
        return {1, format(o)}
        """;

    /// <summary>
    /// KEYS: <see cref="SaleKeys.ScriptKeys"/>. ARGV: at most how many, sale id, change channel. Expires pending orders
    /// whose deadline has passed (by Redis' clock), oldest first, and announces the restock once. Safe to run from
    /// several processors at once: an order already paid or expired is left alone. Returns the expired order ids.
    /// </summary>
    public const string ExpireDue = $$"""
        {{Orders}}
        {{NowMs}}
        local due = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', nowMs, 'LIMIT', 0, tonumber(ARGV[1]))
        local expired = {}
        for _, orderId in ipairs(due) do
            local record = redis.call('HGET', KEYS[3], orderId)
            if record then
                local o = parse(record)
                if o.status == 'pending' then
                    expire(orderId, o)
                    expired[#expired + 1] = orderId
                else
                    redis.call('ZREM', KEYS[6], orderId)
                end
            else
                redis.call('ZREM', KEYS[6], orderId)
            end
        end
        if #expired > 0 then redis.call('PUBLISH', ARGV[3], ARGV[2]) end
        return expired
        """;
}
