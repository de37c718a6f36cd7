using System.Diagnostics;
using SpikeApp.Contracts.Orders;
using StackExchange.Redis;
using Order = SpikeApp.Contracts.Orders.Order;

namespace SpikeApp.Store;

/// <summary>
/// Every Redis round trip of a sale. One shared multiplexer. The scripts that change a sale run only as EVALSHA of the
/// sale's own scripts (<see cref="SaleScriptSet"/>): on a server where the sale is not open they are refused, never
/// run. Each round trip is a client span, and none waits longer than the command timeout: Redis errors and timeouts
/// become <see cref="SaleStoreUnavailableException"/>, or for a deduction a <see cref="DeductionStatus.NotSent"/> or
/// <see cref="DeductionStatus.InDoubt"/> answer, so callers never handle StackExchange.Redis types.
/// </summary>
public sealed class RedisSaleStore
{
    private static readonly RedisValue[] SaleFields = ["total", "sold", "epoch", "round", "seq"];

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeSpan _commandTimeout;
    private string? _server;

    /// <param name="commandTimeout">
    /// The store's own deadline: StackExchange.Redis notices a timeout on its heartbeat, up to a second late.
    /// </param>
    public RedisSaleStore(IConnectionMultiplexer redis, TimeSpan commandTimeout)
    {
        _redis = redis;
        _commandTimeout = commandTimeout;
        redis.ConnectionRestored += (_, _) => Reconnected?.Invoke();
    }

    /// <summary>Raised when a lost connection comes back; pub/sub messages sent meanwhile were missed.</summary>
    public event Action? Reconnected;

    private IDatabase Database => _redis.GetDatabase();

    /// <summary>"host:port" of the Redis server, for the spans' server attributes.</summary>
    private string Server => _server ??= _redis.GetEndPoints() switch
    {
        [System.Net.IPEndPoint ip, ..] => $"{ip.Address}:{ip.Port}",
        [System.Net.DnsEndPoint dns, ..] => $"{dns.Host}:{dns.Port}",
        _ => "redis",
    };

    /// <summary>
    /// Sells one unit to <paramref name="userId"/> if Redis has one for the slice's <paramref name="epoch"/>: a pending
    /// order that expires after <paramref name="paymentWindow"/> unless paid. An answer lost after the command was sent is
    /// <see cref="DeductionStatus.InDoubt"/>, with the order id it would have made.
    /// </summary>
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
            _ => new Deduction(DeductionStatus.NoSale),
        };
    }

    /// <summary>
    /// Begins a round of the sale: creates it when <paramref name="expectedEpoch"/> is null (refused if it exists), else
    /// resets it if its epoch is still <paramref name="expectedEpoch"/>, so a retried reset cannot wipe orders made
    /// since. The last round's pending orders end voided; the change reaches the ledger on the stream. The new epoch is
    /// at least <paramref name="floorEpoch"/>. A sale begun is opened on this server.
    /// </summary>
    public async Task<SaleBeginning> BeginAsync(string saleId, long total, long? expectedEpoch, long floorEpoch = 0)
    {
        var beginning = await CallAsync("EVALSHA", async database =>
        {
            var reply = (RedisResult[])(await database.ScriptEvaluateAsync(SaleScripts.Begin, SaleKeys.For(saleId).ScriptKeys,
                [total, saleId, SaleKeys.ChangedChannel.ToString(), expectedEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", floorEpoch]))!;
            return (long)reply[0] switch
            {
                SaleScripts.Began => new SaleBeginning(BeginOutcome.Began, new SaleState((long)reply[1], 0, (long)reply[3], (long)reply[3], 1), null),
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

    /// <summary>
    /// Opens the sale on every primary: loads its scripts, so purchases, payments, expiries and syncs run. Only the
    /// ledger's check (or a new round) opens a sale; a server that restarted or took over has it closed.
    /// </summary>
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

    /// <summary>Whether the sale is open on every primary (its deduction script is loaded there).</summary>
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

    /// <summary>
    /// Takes the sale's restore lock for <paramref name="timeToLive"/> under <paramref name="token"/>, unless another
    /// process holds it. The restore itself checks the token, so a restorer that outlived its lock writes nothing.
    /// </summary>
    public Task<bool> TryLockRestoreAsync(string saleId, string token, TimeSpan timeToLive) => CallAsync("SET", database =>
        database.StringSetAsync(SaleKeys.For(saleId).RestoreLock, token, timeToLive, When.NotExists));

    /// <summary>Gives the restore lock back if <paramref name="token"/> still holds it.</summary>
    public Task UnlockRestoreAsync(string saleId, string token) => CallAsync("EVALSHA", database =>
        database.ScriptEvaluateAsync("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
            [SaleKeys.For(saleId).RestoreLock], [token]));

    /// <summary>
    /// Brings the sale up to the ledger in one atomic step: a new epoch (at least <paramref name="floorEpoch"/>) of
    /// <paramref name="round"/> holding <paramref name="orders"/> (every order of the round; the pending and paid ones
    /// hold its units), if <paramref name="token"/> still holds the restore lock and the sale is still
    /// <paramref name="planned"/> (null: missing). Then opens it. Returns the new state, or null when refused.
    /// </summary>
    public async Task<SaleState?> RestoreAsync(string saleId, string token, SaleState? planned, long total, long round, long floorEpoch,
        IReadOnlyList<Order> orders)
    {
        var arguments = new List<RedisValue>(7 + 9 * orders.Count)
        {
            token,
            planned is { } state ? $"{state.Epoch}:{state.Seq}" : "",
            total,
            round,
            floorEpoch,
            saleId,
            SaleKeys.ChangedChannel.ToString(),
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
            return (long)reply[0] == 1 ? new SaleState(total, (long)reply[2], (long)reply[1], round, 1) : (SaleState?)null;
        });

        if (restored is not null)
        {
            await OpenAsync(saleId);
            await AnnounceChangeAsync(saleId);
        }

        return restored;
    }

    /// <summary>Tells every replica to sync the sale now; announced once the sale is open, so their syncs find it open.</summary>
    private Task<long> AnnounceChangeAsync(string saleId) => CallAsync("PUBLISH", database => database.PublishAsync(SaleKeys.ChangedChannel, saleId));

    /// <summary>Adds the sale to <see cref="SaleKeys.AllSales"/>, so the order processors watch its stream and deadlines.</summary>
    public Task AddToDirectoryAsync(string saleId) => CallAsync("SADD", database => database.SetAddAsync(SaleKeys.AllSales, saleId));

    /// <summary>The sales in <see cref="SaleKeys.AllSales"/> (until Redis loses its data; the ledger adds them back).</summary>
    public Task<string[]> GetSaleIdsAsync() => CallAsync("SMEMBERS", async database =>
        (await database.SetMembersAsync(SaleKeys.AllSales)).Select(id => id.ToString()).ToArray());

    /// <summary>
    /// Pays <paramref name="orderId"/> for <paramref name="userId"/> if it is pending and within its deadline; past it,
    /// the order expires on the spot. Redis decides, so an order ends paid or expired, never both.
    /// </summary>
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

    /// <summary>
    /// Expires up to <paramref name="max"/> pending orders of the sale whose deadline passed: each unit goes back on sale
    /// and the replicas are told once. Safe from several processors at once; nothing expires while the sale is closed.
    /// Returns the expired order ids.
    /// </summary>
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

    /// <summary>
    /// One round trip that tells a replica what it needs to keep its slice honest: the sale, how many replicas are alive
    /// (this one is marked alive by the call), and which of the purchases in doubt were made; or that the sale is
    /// missing or closed.
    /// </summary>
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
                made[i] = (long)reply[5 + i] == 1;
            }

            return new SyncReply(SaleAvailability.Open, new SaleState((long)reply[0], (long)reply[1], (long)reply[2], Seq: (long)reply[3]), (int)(long)reply[4], made);
        });

    /// <summary>The sale, or null when Redis has none.</summary>
    public Task<SaleState?> GetAsync(string saleId) => CallAsync("HMGET", async database =>
    {
        var values = await database.HashGetAsync(SaleKeys.For(saleId).Sale, SaleFields);
        return values[0].IsNull ? (SaleState?)null
            : new SaleState((long)values[0], (long)values[1], (long)values[2], values[3].IsNull ? (long)values[2] : (long)values[3], values[4].IsNull ? 0 : (long)values[4]);
    });

    /// <summary>Units sold by each replica in the current epoch.</summary>
    public Task<Dictionary<string, long>> GetSoldByReplicaAsync(string saleId) => CallAsync("HGETALL", async database =>
        (await database.HashGetAllAsync(SaleKeys.For(saleId).SoldByReplica))
            .ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value, StringComparer.Ordinal));

    public Task<Order?> GetOrderAsync(string saleId, string orderId) => CallAsync("HGET", async database =>
        ToOrder(saleId, orderId, await database.HashGetAsync(SaleKeys.For(saleId).Orders, orderId)));

    /// <summary>The order a buyer holds in a sale, if any: how a client settles a purchase whose answer it never got.</summary>
    public async Task<Order?> GetOrderOfBuyerAsync(string saleId, string userId)
    {
        var orderId = await CallAsync("HGET", async database => (string?)await database.HashGetAsync(SaleKeys.For(saleId).Buyers, userId));
        return orderId is null ? null : await GetOrderAsync(saleId, orderId);
    }

    /// <summary>Calls <paramref name="onChange"/> with the sale id of every reset, restock or restore announced from now on.</summary>
    public Task SubscribeToChangesAsync(Func<string, Task> onChange) => CallAsync("SUBSCRIBE", async _ =>
    {
        await _redis.GetSubscriber().SubscribeAsync(SaleKeys.ChangedChannel, (_, saleId) => onChange(saleId.ToString()));
        return true;
    });

    /// <summary>The connected primaries; none is Redis not answering.</summary>
    private List<IServer> Primaries()
    {
        var primaries = _redis.GetEndPoints().Select(endpoint => _redis.GetServer(endpoint)).Where(server => server.IsConnected && !server.IsReplica).ToList();
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
            throw new SaleStoreUnavailableException($"Redis did not answer {operation}: {ex.Message}", ex);
        }
    }

    /// <summary>A call given up on at the deadline may still fail later; observe it so it is no unobserved task exception.</summary>
    private static void ObserveAbandoned(Task? call)
    {
        if (call is { IsCompleted: false })
        {
            _ = call.ContinueWith(static task => _ = task.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// How a Redis call fails: an error or a timeout, and also a call StackExchange.Redis cancels when it drops a dead
    /// connection (no caller here cancels a call). Each is "Redis did not answer", never a crash.
    /// </summary>
    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or OperationCanceledException;

    /// <summary>The server does not have the sale's scripts: the sale is not open there.</summary>
    private static bool IsNotOpen(RedisServerException ex) => ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    /// <summary>Only a command that never left this process is surely not executed.</summary>
    private static bool NeverSent(Exception ex) => ex switch
    {
        RedisTimeoutException timeout => timeout.Commandstatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        RedisConnectionException connection => connection.CommandStatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        _ => false,
    };

    /// <summary>96 random bits: order ids are unguessable and never repeat, not even after Redis lost its data.</summary>
    private static string NewOrderId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    /// <summary>An order record of the scripts (see <see cref="SaleScripts"/>); records from before epochs were kept have 7 fields.</summary>
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
