namespace SpikeApp.Store;

/// <summary>
/// The Lua scripts of a sale: each runs atomically, so Redis alone decides who gets a unit and whether an order ends
/// paid or expired. Epochs are Redis' clock in microseconds, above the previous one and the ledger's floor, so a sale
/// begun again after Redis lost its data never reuses one. Every change is one stream entry with its epoch, round and
/// <c>seq</c> (entries of that epoch: the ledger compares it with its own to tell whether Redis forgot something).
/// Order records: <c>user|replica|createdAtMs|expiresAtMs|status|paidAtMs|reference|epoch|round</c> (ids never hold '|').
/// </summary>
internal static class SaleScripts
{
    // Reply codes of Deduct, Pay and Begin.
    public const long NoSale = 0, Created = 1, Existing = 2, SoldOut = 3, EpochChanged = 4, NotOpenYet = 5, Ended = 6;

    public const long NoOrder = 0, Paid = 1, Expired = 2, NotYours = 3, SaleMissing = 4, Voided = 5;

    public const long Began = 1, AlreadyExists = 2, EpochMismatch = 3;

    private const string NowMs = """
        local clock = redis.call('TIME')
        local nowMs = clock[1] * 1000 + math.floor(clock[2] / 1000)
        """;

    private const string NewEpoch = """
        local function newEpoch(previous, floor)
            local now = redis.call('TIME')
            local epoch = now[1] * 1000000 + now[2]
            if floor and epoch < floor then epoch = floor end
            if previous and epoch <= previous then epoch = previous + 1 end
            return string.format('%d', epoch)
        end
        """;

    // Shared by the scripts below (same KEYS); expire() is the one way an order expires.
    private const string Orders = """
        local function parse(record)
            local f = {}
            for part in string.gmatch(record .. '|', '([^|]*)|') do f[#f + 1] = part end
            return {user = f[1], replica = f[2], createdAt = f[3], expiresAt = tonumber(f[4]), status = f[5],
                paidAt = f[6] or '', reference = f[7] or '', epoch = f[8] or '', round = f[9] or ''}
        end
        local function format(o)
            return table.concat({o.user, o.replica, o.createdAt, string.format('%d', o.expiresAt), o.status, o.paidAt,
                o.reference, o.epoch, o.round}, '|')
        end
        local function event(epoch, round, fields)
            local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
            redis.call('XADD', KEYS[4], '*', 'seq', seq, 'epoch', epoch, 'round', round, unpack(fields))
            return seq
        end
        local function orderEvent(type, orderId, o, epoch)
            event(epoch, o.round, {'type', type, 'order', orderId, 'user', o.user, 'replica', o.replica,
                'createdAt', o.createdAt, 'expiresAt', string.format('%d', o.expiresAt), 'paidAt', o.paidAt,
                'reference', o.reference, 'orderEpoch', o.epoch})
        end
        local function decrementIfPositive(key, field)
            if tonumber(redis.call('HGET', key, field) or '0') > 0 then redis.call('HINCRBY', key, field, -1) end
        end
        local function expire(orderId, o, epoch)
            o.status = 'expired'
            redis.call('HSET', KEYS[3], orderId, format(o))
            redis.call('ZREM', KEYS[6], orderId)
            decrementIfPositive(KEYS[1], 'sold')
            decrementIfPositive(KEYS[5], o.replica)
            if redis.call('HGET', KEYS[2], o.user) == orderId then redis.call('HDEL', KEYS[2], o.user) end
            orderEvent('expired', orderId, o, epoch)
            return format(o)
        end
        """;

    // KEYS: SaleKeys.ScriptKeys. ARGV: user, replica, the slice's epoch, a new order id, payment window (ms), trace
    // context. Returns {code, orderId}, plus {1 if now sold out, seq} after a sale or a "sold out", plus {opensAt, now}
    // before the opening. The opening and closing are decided on Redis' clock, never a replica's. The check is
    // sold < total (the seed's total >= sold oversold by one); a buyer who holds an order gets it back even once sold
    // out or closed, so a retry is idempotent.
    public const string Deduct = $$"""
        {{Orders}}
        local sale = redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch', 'round', 'seq', 'opensAt', 'closesAt')
        if not sale[1] then return {0, ''} end
        if sale[3] ~= ARGV[3] then return {4, ''} end
        {{NowMs}}
        if sale[6] and nowMs < tonumber(sale[6]) then return {5, '', 0, 0, tonumber(sale[6]), nowMs} end
        local existing = redis.call('HGET', KEYS[2], ARGV[1])
        if existing then return {2, existing} end
        if sale[7] and nowMs >= tonumber(sale[7]) then return {6, ''} end
        if tonumber(sale[2]) >= tonumber(sale[1]) then return {3, '', 1, tonumber(sale[5] or '0')} end
        local sold = redis.call('HINCRBY', KEYS[1], 'sold', 1)
        local o = {user = ARGV[1], replica = ARGV[2], createdAt = string.format('%d', nowMs), expiresAt = nowMs + tonumber(ARGV[5]),
            status = 'pending', paidAt = '', reference = '', epoch = sale[3], round = sale[4] or sale[3]}
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
        redis.call('HSET', KEYS[3], ARGV[4], format(o))
        redis.call('ZADD', KEYS[6], string.format('%d', o.expiresAt), ARGV[4])
        redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
        local seq = event(o.epoch, o.round, {'type', 'created', 'order', ARGV[4], 'user', o.user, 'replica', o.replica,
            'createdAt', o.createdAt, 'expiresAt', string.format('%d', o.expiresAt), 'traceparent', ARGV[6]})
        local soldOut = 0
        if sold >= tonumber(sale[1]) then soldOut = 1 end
        return {1, ARGV[4], soldOut, seq}
        """;

    // Begins a round: creates or resets the sale. KEYS: SaleKeys.ScriptKeys. ARGV: total, sale id, (unused), the epoch
    // the sale must have (empty: must not exist), the new epoch's floor, opens at (ms; empty: now), closes at (ms; empty:
    // never). The last round's pending orders end voided, its paid ones stay paid. Returns {code, total, sold, epoch,
    // opens at}, or {code, current epoch}.
    public const string Begin = $$"""
        {{Orders}}
        {{NewEpoch}}
        local current = redis.call('HMGET', KEYS[1], 'epoch', 'round')
        if ARGV[4] == '' then
            if current[1] then return {2, current[1]} end
        elseif current[1] ~= ARGV[4] then
            return {3, current[1] or ''}
        end
        local epoch = newEpoch(current[1] and tonumber(current[1]), tonumber(ARGV[5]))
        for _, orderId in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
            local record = redis.call('HGET', KEYS[3], orderId)
            if record then
                local o = parse(record)
                if o.status == 'pending' then
                    o.status = 'voided'
                    redis.call('HSET', KEYS[3], orderId, format(o))
                end
            end
        end
        redis.call('UNLINK', KEYS[2], KEYS[5], KEYS[6])
        {{NowMs}}
        local opensAt = ARGV[6]
        if opensAt == '' then opensAt = string.format('%d', nowMs) end
        redis.call('HSET', KEYS[1], 'total', ARGV[1], 'sold', 0, 'epoch', epoch, 'round', epoch, 'seq', 0, 'opensAt', opensAt)
        if ARGV[7] == '' then redis.call('HDEL', KEYS[1], 'closesAt') else redis.call('HSET', KEYS[1], 'closesAt', ARGV[7]) end
        local began = 'reset'
        if ARGV[4] == '' then began = 'created' end
        event(epoch, epoch, {'type', 'incarnation', 'began', began, 'total', ARGV[1], 'sold', '0', 'at', string.format('%d', nowMs),
            'opensAt', opensAt, 'closesAt', ARGV[7]})
        return {1, ARGV[1], '0', epoch, opensAt}
        """;

    // Brings the sale up to the ledger: a new epoch of the same round, sold = its live orders, with buyers, deadlines,
    // the round's schedule and every order of the round. KEYS: SaleKeys.RestoreKeys. ARGV: lock token, the state planned
    // against (epoch:seq, empty if missing), total, round, the new epoch's floor, sale id and channel (unused), opens at
    // (ms), closes at (ms; empty: never), then per order: id, user, replica, createdAtMs, expiresAtMs, status, paidAtMs,
    // reference, epoch. Refused unless the lock is still held and
    // Redis is as planned, so racing restorers make one incarnation. Returns {1, epoch, sold} or {0, reason}.
    public const string Restore = $$"""
        {{Orders}}
        {{NewEpoch}}
        if redis.call('GET', KEYS[7]) ~= ARGV[1] then return {0, 'the restore lock was lost'} end
        local current = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
        local state = ''
        if current[1] then state = current[1] .. ':' .. (current[2] or '0') end
        if state ~= ARGV[2] then return {0, 'the sale changed since the restore was planned'} end
        local epoch = newEpoch(current[1] and tonumber(current[1]), tonumber(ARGV[5]))
        redis.call('UNLINK', KEYS[2], KEYS[5], KEYS[6])
        local sold = 0
        for i = 10, #ARGV, 9 do
            local orderId, user, replica, status = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 5]
            redis.call('HSET', KEYS[3], orderId, table.concat({user, replica, ARGV[i + 3], ARGV[i + 4], status,
                ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[4]}, '|'))
            if status == 'pending' or status == 'paid' then
                sold = sold + 1
                redis.call('HSET', KEYS[2], user, orderId)
                redis.call('HINCRBY', KEYS[5], replica, 1)
                if status == 'pending' then redis.call('ZADD', KEYS[6], ARGV[i + 4], orderId) end
            end
        end
        redis.call('HSET', KEYS[1], 'total', ARGV[3], 'sold', sold, 'epoch', epoch, 'round', ARGV[4], 'seq', 0, 'opensAt', ARGV[8])
        if ARGV[9] == '' then redis.call('HDEL', KEYS[1], 'closesAt') else redis.call('HSET', KEYS[1], 'closesAt', ARGV[9]) end
        {{NowMs}}
        event(epoch, ARGV[4], {'type', 'incarnation', 'began', 'restored', 'total', ARGV[3], 'sold', tostring(sold),
            'at', string.format('%d', nowMs), 'opensAt', ARGV[8], 'closesAt', ARGV[9]})
        redis.call('DEL', KEYS[7])
        return {1, epoch, sold}
        """;

    // KEYS: SaleKeys.SyncKeys. ARGV: replica, presence time-to-live (ms), then buyer and order id of each purchase in
    // doubt. Marks the replica alive, forgets silent ones. Returns {total, sold, epoch, seq, alive replicas, opens at,
    // closes at (-1: never), Redis' clock in microseconds, then 1 per purchase in doubt that was made, else 0}, or {}
    // when there is no sale.
    public const string Sync = """
        local sale = redis.call('HMGET', KEYS[1], 'total', 'sold', 'epoch', 'seq', 'opensAt', 'closesAt')
        if not sale[1] then return {} end
        local now = redis.call('TIME')
        local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
        local ttl = tonumber(ARGV[2])
        redis.call('ZADD', KEYS[3], nowMs, ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs - ttl)
        redis.call('PEXPIRE', KEYS[3], ttl * 10)
        local reply = {sale[1], sale[2], sale[3], sale[4] or '0', redis.call('ZCARD', KEYS[3]), sale[5] or '0', sale[6] or '-1',
            now[1] * 1000000 + now[2]}
        for i = 3, #ARGV, 2 do
            local made = 0
            if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then made = 1 end
            reply[#reply + 1] = made
        end
        return reply
        """;

    // KEYS: SaleKeys.ScriptKeys. ARGV: order id, user, payment reference, sale id, channel. Pays a pending order before
    // its deadline, else expires it on the spot: atomically, so an order ends paid or expired, never both.
    // Returns {code, order record}.
    public const string Pay = $$"""
        {{Orders}}
        local sale = redis.call('HMGET', KEYS[1], 'epoch', 'round')
        if not sale[1] then return {4, ''} end
        local record = redis.call('HGET', KEYS[3], ARGV[1])
        if not record then return {0, ''} end
        local o = parse(record)
        if o.user ~= ARGV[2] then return {3, ''} end
        if o.status == 'paid' then return {1, record} end
        if o.status == 'expired' then return {2, record} end
        if o.status == 'voided' then return {5, record} end
        if o.round ~= '' and o.round ~= (sale[2] or sale[1]) then
            o.status = 'voided'
            redis.call('HSET', KEYS[3], ARGV[1], format(o))
            return {5, format(o)}
        end
        {{NowMs}}
        if nowMs >= o.expiresAt then
            local expired = expire(ARGV[1], o, sale[1])
            redis.call('PUBLISH', ARGV[5], ARGV[4])
            return {2, expired}
        end
        o.status = 'paid'
        o.paidAt = string.format('%d', nowMs)
        o.reference = ARGV[3]
        redis.call('HSET', KEYS[3], ARGV[1], format(o))
        redis.call('ZREM', KEYS[6], ARGV[1])
        orderEvent('paid', ARGV[1], o, sale[1])
        return {1, format(o)}
        """;

    // KEYS: SaleKeys.ScriptKeys. ARGV: at most how many, sale id, channel. Expires the round's pending orders past their
    // deadline and announces the restock once; safe from several processors. Returns their ids.
    public const string ExpireDue = $$"""
        {{Orders}}
        local sale = redis.call('HMGET', KEYS[1], 'epoch', 'round')
        if not sale[1] then return {} end
        local round = sale[2] or sale[1]
        {{NowMs}}
        local due = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', nowMs, 'LIMIT', 0, tonumber(ARGV[1]))
        local expired = {}
        for _, orderId in ipairs(due) do
            local record = redis.call('HGET', KEYS[3], orderId)
            local o = record and parse(record)
            if o and o.status == 'pending' and (o.round == '' or o.round == round) then
                expire(orderId, o, sale[1])
                expired[#expired + 1] = orderId
            else
                redis.call('ZREM', KEYS[6], orderId)
            end
        end
        if #expired > 0 then redis.call('PUBLISH', ARGV[3], ARGV[2]) end
        return expired
        """;
}
