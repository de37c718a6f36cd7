using System.Diagnostics;
using System.Net.Sockets;
using SpikeApp.Contracts.Orders;
using StackExchange.Redis;
using Order = SpikeApp.Contracts.Orders.Order;

namespace SpikeApp.Store;

/// <summary>
/// Every Redis round trip of a sale. No call outlives the command timeout, and failures become
/// <see cref="SaleStoreUnavailableException"/> (or a NotSent/InDoubt deduction): callers never see StackExchange.Redis.
/// </summary>
public sealed class RedisSaleStore
{
    private static readonly RedisValue[] SaleFields = ["total", "sold", "epoch", "round", "seq", "opensAt", "closesAt"];

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeSpan _commandTimeout;
    private string? _server;

    /// <param name="commandTimeout">Our own deadline: StackExchange.Redis notices a timeout only on its heartbeat.</param>
    public RedisSaleStore(IConnectionMultiplexer redis, TimeSpan commandTimeout)
    {
        _redis = redis;
        _commandTimeout = commandTimeout;
        redis.ConnectionRestored += (_, _) => Reconnected?.Invoke();
    }

    /// <summary>Raised when a lost connection comes back; pub/sub messages sent meanwhile were missed.</summary>
    public event Action? Reconnected;

    private IDatabase Database => _redis.GetDatabase();

    private string Server => _server ??= _redis.GetEndPoints() switch
    {
        [System.Net.IPEndPoint ip, ..] => $"{ip.Address}:{ip.Port}",
        [System.Net.DnsEndPoint dns, ..] => $"{dns.Host}:{dns.Port}",
        _ => "redis",
    };

    public async Task<Deduction> DeductAsync(string saleId, long epoch, string userId, string replicaId, TimeSpan paymentWindow)
    {
        using var span = StoreTelemetry.StartRedisCall("EVALSHA", Server);
        var orderId = NewOrderId();
        // The order stream carries the purchase's trace, so the processor's span links back to it.
        var traceParent = Activity.Current?.Id ?? "";
        var keys = SaleKeys.For(saleId);
        Task<RedisResult>? call = null;
        RedisResult[] reply;
        try
        {
            call = Database.ScriptEvaluateAsync(keys.Scripts.Deduct.Sha1, keys.ScriptKeys,
                [userId, replicaId, epoch, orderId, (long)paymentWindow.TotalMilliseconds, traceParent]);
            reply = (RedisResult[])(await call.WaitAsync(_commandTimeout))!;
        }
        catch (RedisServerException ex) when (IsNotOpen(ex))
        {
            return new Deduction(DeductionStatus.Closed);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ObserveAbandoned(call);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            return NeverSent(ex)
                ? new Deduction(DeductionStatus.NotSent, Failure: ex)
                : new Deduction(DeductionStatus.InDoubt, orderId, Failure: ex);
        }

        return (long)reply[0] switch
        {
            SaleScripts.Created => new Deduction(DeductionStatus.Created, (string?)reply[1], SoldLastUnit: (long)reply[2] == 1, Seq: (long)reply[3]),
            SaleScripts.Existing => new Deduction(DeductionStatus.Existing, (string?)reply[1]),
            SaleScripts.SoldOut => new Deduction(DeductionStatus.SoldOut, Seq: (long)reply[3]),
            SaleScripts.EpochChanged => new Deduction(DeductionStatus.EpochChanged),
            SaleScripts.NotOpenYet => new Deduction(DeductionStatus.NotOpenYet, RedisNowMs: (long)reply[5]),
            SaleScripts.Ended => new Deduction(DeductionStatus.Ended),
            _ => new Deduction(DeductionStatus.NoSale),
        };
    }

    /// <summary>Resets only while the epoch is still <paramref name="expectedEpoch"/>, so a retry cannot wipe newer orders.</summary>
    /// <param name="opensAt">None: at once, on Redis' clock.</param>
    public async Task<SaleBeginning> BeginAsync(string saleId, long total, long? expectedEpoch, long floorEpoch = 0,
        DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null)
    {
        var beginning = await CallAsync("EVALSHA", async database =>
        {
            var reply = (RedisResult[])(await database.ScriptEvaluateAsync(SaleScripts.Begin, SaleKeys.For(saleId).ScriptKeys,
                [total, saleId, SaleKeys.ChangedChannel.ToString(), expectedEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", floorEpoch,
                 OptionalMilliseconds(opensAt), OptionalMilliseconds(closesAt)]))!;
            return (long)reply[0] switch
            {
                SaleScripts.Began => new SaleBeginning(BeginOutcome.Began,
                    new SaleState((long)reply[1], 0, (long)reply[3], (long)reply[3], 1, new SaleSchedule((long)reply[4], closesAt?.ToUnixTimeMilliseconds())), null),
                SaleScripts.AlreadyExists => new SaleBeginning(BeginOutcome.AlreadyExists, null, (long)reply[1]),
                _ => new SaleBeginning(BeginOutcome.EpochMismatch, null, (string?)reply[1] is { Length: > 0 } current ? long.Parse(current, System.Globalization.CultureInfo.InvariantCulture) : null),
            };
        });

        if (beginning.Outcome == BeginOutcome.Began)
        {
            await OpenAsync(saleId);
            await AddToDirectoryAsync(saleId);
            await AnnounceChangeAsync(saleId);
        }

        return beginning;
    }

    public Task OpenAsync(string saleId) => CallAsync("SCRIPT LOAD", async _ =>
    {
        foreach (var server in Primaries())
        {
            foreach (var script in SaleKeys.For(saleId).Scripts.All)
            {
                await server.ScriptLoadAsync(script.Text);
            }
        }

        return true;
    });

    public Task<bool> IsOpenAsync(string saleId) => CallAsync("SCRIPT EXISTS", async _ =>
    {
        var sha1 = SaleKeys.For(saleId).Scripts.Deduct.Sha1;
        foreach (var server in Primaries())
        {
            if (!await server.ScriptExistsAsync(sha1))
            {
                return false;
            }
        }

        return true;
    });

    /// <summary>The restore itself checks the token, so a restorer that outlived its lock writes nothing.</summary>
    public Task<bool> TryLockRestoreAsync(string saleId, string token, TimeSpan timeToLive) => CallAsync("SET", database =>
        database.StringSetAsync(SaleKeys.For(saleId).RestoreLock, token, timeToLive, When.NotExists));

    public Task UnlockRestoreAsync(string saleId, string token) => CallAsync("EVALSHA", database =>
        database.ScriptEvaluateAsync("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
            [SaleKeys.For(saleId).RestoreLock], [token]));

    /// <summary>Null when refused: the lock was lost, or the sale is no longer <paramref name="planned"/> (null: missing).</summary>
    public async Task<SaleState?> RestoreAsync(string saleId, string token, SaleState? planned, long total, long round, long floorEpoch,
        SaleSchedule schedule, IReadOnlyList<Order> orders)
    {
        var arguments = new List<RedisValue>(9 + 9 * orders.Count)
        {
            token,
            planned is { } state ? $"{state.Epoch}:{state.Seq}" : "",
            total,
            round,
            floorEpoch,
            saleId,
            SaleKeys.ChangedChannel.ToString(),
            schedule.OpensAtMs,
            schedule.ClosesAtMs is { } closesAt ? closesAt : "",
        };
        foreach (var order in orders)
        {
            arguments.AddRange([order.OrderId, order.UserId, order.ReplicaId, order.CreatedAt.ToUnixTimeMilliseconds(),
                order.ExpiresAt.ToUnixTimeMilliseconds(), order.Status.ToName(), order.PaidAt?.ToUnixTimeMilliseconds() ?? (RedisValue)"",
                order.PaymentReference ?? "", order.Epoch]);
        }

        var restored = await CallAsync("EVALSHA", async database =>
        {
            var reply = (RedisResult[])(await database.ScriptEvaluateAsync(SaleScripts.Restore, SaleKeys.For(saleId).RestoreKeys, [.. arguments]))!;
            return (long)reply[0] == 1 ? new SaleState(total, (long)reply[2], (long)reply[1], round, 1, schedule) : (SaleState?)null;
        });

        if (restored is not null)
        {
            await OpenAsync(saleId);
            await AnnounceChangeAsync(saleId);
        }

        return restored;
    }

    /// <summary>Announced only once the sale is open, so the replicas' syncs find it open.</summary>
    private Task<long> AnnounceChangeAsync(string saleId) => CallAsync("PUBLISH", database => database.PublishAsync(SaleKeys.ChangedChannel, saleId));

    public Task AddToDirectoryAsync(string saleId) => CallAsync("SADD", database => database.SetAddAsync(SaleKeys.AllSales, saleId));

    /// <summary>Lost with Redis' data; the ledger adds them back.</summary>
    public Task<string[]> GetSaleIdsAsync() => CallAsync("SMEMBERS", async database =>
        (await database.SetMembersAsync(SaleKeys.AllSales)).Select(id => id.ToString()).ToArray());

    public Task<Payment> PayAsync(string saleId, string orderId, string userId, string paymentReference) => CallAsync("EVALSHA", async database =>
    {
        var keys = SaleKeys.For(saleId);
        RedisResult[] reply;
        try
        {
            reply = (RedisResult[])(await database.ScriptEvaluateAsync(keys.Scripts.Pay.Sha1, keys.ScriptKeys,
                [orderId, userId, paymentReference, saleId, SaleKeys.ChangedChannel.ToString()]))!;
        }
        catch (RedisServerException ex) when (IsNotOpen(ex))
        {
            return new Payment(PaymentStatus.SaleClosed, null);
        }

        var order = ToOrder(saleId, orderId, (RedisValue)reply[1]);
        return (long)reply[0] switch
        {
            SaleScripts.Paid => new Payment(PaymentStatus.Paid, order),
            SaleScripts.Expired => new Payment(PaymentStatus.Expired, order),
            SaleScripts.Voided => new Payment(PaymentStatus.Voided, order),
            SaleScripts.NotYours => new Payment(PaymentStatus.NotYours, null),
            SaleScripts.SaleMissing => new Payment(PaymentStatus.SaleClosed, null),
            _ => new Payment(PaymentStatus.NoOrder, null),
        };
    });

    public Task<string[]> ExpireDueAsync(string saleId, int max) => CallAsync("EVALSHA", async database =>
    {
        var keys = SaleKeys.For(saleId);
        try
        {
            return ((RedisResult[])(await database.ScriptEvaluateAsync(keys.Scripts.ExpireDue.Sha1, keys.ScriptKeys,
                [max, saleId, SaleKeys.ChangedChannel.ToString()]))!).Select(id => id.ToString()).ToArray();
        }
        catch (RedisServerException ex) when (IsNotOpen(ex))
        {
            return [];
        }
    });

    public Task<SyncReply> SyncAsync(string saleId, string replicaId, TimeSpan presenceTimeToLive, IReadOnlyList<PendingPurchase> inDoubt) =>
        CallAsync("EVALSHA", async database =>
        {
            var arguments = new RedisValue[2 + 2 * inDoubt.Count];
            arguments[0] = replicaId;
            arguments[1] = (long)presenceTimeToLive.TotalMilliseconds;
            for (var i = 0; i < inDoubt.Count; i++)
            {
                arguments[2 + 2 * i] = inDoubt[i].UserId;
                arguments[3 + 2 * i] = inDoubt[i].OrderId;
            }

            var keys = SaleKeys.For(saleId);
            RedisResult[] reply;
            try
            {
                reply = (RedisResult[])(await database.ScriptEvaluateAsync(keys.Scripts.Sync.Sha1, keys.SyncKeys, arguments))!;
            }
            catch (RedisServerException ex) when (IsNotOpen(ex))
            {
                return SyncReply.Closed;
            }

            if (reply.Length == 0)
            {
                return SyncReply.Missing;
            }

            var made = new bool[inDoubt.Count];
            for (var i = 0; i < made.Length; i++)
            {
                made[i] = (long)reply[8 + i] == 1;
            }

            var schedule = new SaleSchedule((long)reply[5], (long)reply[6] is >= 0 and var closesAt ? closesAt : null);
            return new SyncReply(SaleAvailability.Open, new SaleState((long)reply[0], (long)reply[1], (long)reply[2], Seq: (long)reply[3], Schedule: schedule),
                (int)(long)reply[4], made, (long)reply[7]);
        });

    /// <summary>Takes the replica out of the sale's presence set at once, rather than when its entry ages out.</summary>
    public Task LeaveAsync(string saleId, string replicaId) => CallAsync("ZREM", database =>
        database.SortedSetRemoveAsync(SaleKeys.For(saleId).Replicas, replicaId));

    public Task<SaleState?> GetAsync(string saleId) => CallAsync("HMGET", async database =>
    {
        var values = await database.HashGetAsync(SaleKeys.For(saleId).Sale, SaleFields);
        return values[0].IsNull ? (SaleState?)null
            : new SaleState((long)values[0], (long)values[1], (long)values[2], values[3].IsNull ? (long)values[2] : (long)values[3], values[4].IsNull ? 0 : (long)values[4],
                new SaleSchedule(values[5].IsNull ? 0 : (long)values[5], values[6].IsNull ? null : (long)values[6]));
    });

    public Task<Dictionary<string, long>> GetSoldByReplicaAsync(string saleId) => CallAsync("HGETALL", async database =>
        (await database.HashGetAllAsync(SaleKeys.For(saleId).SoldByReplica))
            .ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value, StringComparer.Ordinal));

    public Task<Order?> GetOrderAsync(string saleId, string orderId) => CallAsync("HGET", async database =>
        ToOrder(saleId, orderId, await database.HashGetAsync(SaleKeys.For(saleId).Orders, orderId)));

    /// <summary>How a client settles a purchase whose answer it never got.</summary>
    public async Task<Order?> GetOrderOfBuyerAsync(string saleId, string userId)
    {
        var orderId = await CallAsync("HGET", async database => (string?)await database.HashGetAsync(SaleKeys.For(saleId).Buyers, userId));
        return orderId is null ? null : await GetOrderAsync(saleId, orderId);
    }

    /// <summary>The cheapest question that shows whether Redis answers at all.</summary>
    public Task PingAsync() => CallAsync("PING", database => database.PingAsync());

    public Task SubscribeToChangesAsync(Func<string, Task> onChange) => CallAsync("SUBSCRIBE", async _ =>
    {
        await _redis.GetSubscriber().SubscribeAsync(SaleKeys.ChangedChannel, (_, saleId) => onChange(saleId.ToString()));
        return true;
    });

    private List<IServer> Primaries()
    {
        // The servers the multiplexer holds now: asking for an endpoint by name throws once it was disposed.
        var primaries = _redis.GetServers().Where(server => server.IsConnected && !server.IsReplica).ToList();
        return primaries.Count > 0 ? primaries : throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No Redis primary is connected.");
    }

    private async Task<T> CallAsync<T>(string operation, Func<IDatabase, Task<T>> command)
    {
        using var span = StoreTelemetry.StartRedisCall(operation, Server);
        Task<T>? call = null;
        try
        {
            call = command(Database);
            return await call.WaitAsync(_commandTimeout);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ObserveAbandoned(call);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw new SaleStoreUnavailableException($"Redis refused or did not answer {operation}: {ex.Message}", ex);
        }
    }

    /// <summary>A call given up on may still fail later; observe it so it is no unobserved task exception.</summary>
    private static void ObserveAbandoned(Task? call)
    {
        if (call is { IsCompleted: false })
        {
            _ = call.ContinueWith(static task => _ = task.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Cancelled too: StackExchange.Redis cancels calls when it drops a dead connection (no caller here does). A socket
    /// torn down under a call may surface as the transport's own exception (a reset connection is an IOException), and a
    /// call racing the multiplexer's disposal at shutdown as ObjectDisposedException: Redis did not answer either way.
    /// </summary>
    private static bool IsRedisFailure(Exception ex) =>
        ex is RedisException or TimeoutException or OperationCanceledException or IOException or SocketException or ObjectDisposedException;

    private static bool IsNotOpen(RedisServerException ex) => ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    /// <summary>Only a command that never left this process is surely not executed.</summary>
    private static bool NeverSent(Exception ex) => ex switch
    {
        RedisTimeoutException timeout => timeout.Commandstatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        RedisConnectionException connection => connection.CommandStatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        _ => false,
    };

    private static RedisValue OptionalMilliseconds(DateTimeOffset? time) => time is { } value ? value.ToUnixTimeMilliseconds() : "";

    /// <summary>96 random bits: order ids are unguessable and never repeat, not even after Redis lost its data.</summary>
    private static string NewOrderId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    /// <summary>Records from before epochs were kept have 7 fields.</summary>
    private static Order? ToOrder(string saleId, string orderId, RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var parts = value.ToString().Split('|');
        return new Order(orderId, saleId, parts[0], parts[1], OrderStatuses.Parse(parts[4]),
            RedisTime.FromMilliseconds(parts[2])!.Value, RedisTime.FromMilliseconds(parts[3])!.Value,
            RedisTime.FromMilliseconds(parts[5]), parts[6] is { Length: > 0 } reference ? reference : null,
            parts.Length > 7 && parts[7].Length > 0 ? long.Parse(parts[7], System.Globalization.CultureInfo.InvariantCulture) : 0);
    }
}
