using System.Diagnostics;
using SpikeApp.Contracts.Orders;
using StackExchange.Redis;
using Order = SpikeApp.Contracts.Orders.Order;

namespace SpikeApp.Store;

/// <summary>
/// Every Redis round trip of a sale. One shared multiplexer; scripts are loaded once so purchases go out as EVALSHA
/// (StackExchange.Redis falls back to EVAL by itself if Redis lost its script cache). Each round trip is a client span,
/// and none waits longer than the command timeout: Redis errors and timeouts become
/// <see cref="SaleStoreUnavailableException"/>, or for a deduction a <see cref="DeductionStatus.NotSent"/> or
/// <see cref="DeductionStatus.InDoubt"/> answer, so callers never handle StackExchange.Redis types.
/// </summary>
public sealed class RedisSaleStore
{
    private static readonly RedisValue[] SaleFields = ["total", "sold", "epoch"];

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

    /// <summary>Loads the scripts on every primary so later calls send only their SHA1.</summary>
    public Task LoadScriptsAsync() => CallAsync("SCRIPT LOAD", async _ =>
    {
        foreach (var endpoint in _redis.GetEndPoints())
        {
            var server = _redis.GetServer(endpoint);
            if (server.IsConnected && !server.IsReplica)
            {
                await server.ScriptLoadAsync(SaleScripts.Deduct);
                await server.ScriptLoadAsync(SaleScripts.CreateIfAbsent);
                await server.ScriptLoadAsync(SaleScripts.Reset);
                await server.ScriptLoadAsync(SaleScripts.Sync);
                await server.ScriptLoadAsync(SaleScripts.Pay);
                await server.ScriptLoadAsync(SaleScripts.ExpireDue);
            }
        }

        return true;
    });

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
        Task<RedisResult>? call = null;
        RedisResult[] reply;
        try
        {
            call = Database.ScriptEvaluateAsync(SaleScripts.Deduct, SaleKeys.For(saleId).ScriptKeys,
                [userId, replicaId, epoch, orderId, (long)paymentWindow.TotalMilliseconds, traceParent]);
            reply = (RedisResult[])(await call.WaitAsync(_commandTimeout))!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ObserveAbandoned(call);
            span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            return NeverSent(ex)
                ? new Deduction(DeductionStatus.NotSent, Failure: ex)
                : new Deduction(DeductionStatus.InDoubt, orderId, Failure: ex);
        }

        return (long)reply[0] switch
        {
            SaleScripts.Created => new Deduction(DeductionStatus.Created, (string?)reply[1], SoldLastUnit: (long)reply[2] == 1),
            SaleScripts.Existing => new Deduction(DeductionStatus.Existing, (string?)reply[1]),
            SaleScripts.SoldOut => new Deduction(DeductionStatus.SoldOut),
            SaleScripts.EpochChanged => new Deduction(DeductionStatus.EpochChanged),
            _ => new Deduction(DeductionStatus.NoSale),
        };
    }

    /// <summary>Creates the sale unless Redis has it, so a (re)start never resets a running sale.</summary>
    public Task<SaleState> CreateIfAbsentAsync(string saleId, long total) => CallAsync("EVALSHA", async database =>
    {
        var state = ToState((RedisResult[])(await database.ScriptEvaluateAsync(SaleScripts.CreateIfAbsent, [SaleKeys.For(saleId).Sale], [total]))!);
        await database.SetAddAsync(SaleKeys.AllSales, saleId);
        return state;
    });

    /// <summary>Creates or resets the sale: every order is forgotten, a new epoch starts and every replica is told.</summary>
    public Task<SaleState> ResetAsync(string saleId, long total) => CallAsync("EVALSHA", async database =>
    {
        var state = ToState((RedisResult[])(await database.ScriptEvaluateAsync(
            SaleScripts.Reset, SaleKeys.For(saleId).ScriptKeys, [total, saleId, SaleKeys.ChangedChannel.ToString()]))!);
        await database.SetAddAsync(SaleKeys.AllSales, saleId);
        return state;
    });

    /// <summary>Every sale ever created (until Redis loses its data).</summary>
    public Task<string[]> GetSaleIdsAsync() => CallAsync("SMEMBERS", async database =>
        (await database.SetMembersAsync(SaleKeys.AllSales)).Select(id => id.ToString()).ToArray());

    /// <summary>
    /// Pays <paramref name="orderId"/> for <paramref name="userId"/> if it is pending and within its deadline; past it,
    /// the order expires on the spot. Redis decides, so an order ends paid or expired, never both.
    /// </summary>
    public Task<Payment> PayAsync(string saleId, string orderId, string userId, string paymentReference) => CallAsync("EVALSHA", async database =>
    {
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(SaleScripts.Pay, SaleKeys.For(saleId).ScriptKeys,
            [orderId, userId, paymentReference, saleId, SaleKeys.ChangedChannel.ToString()]))!;
        var order = ToOrder(saleId, orderId, (RedisValue)reply[1]);
        return (long)reply[0] switch
        {
            SaleScripts.Paid => new Payment(PaymentStatus.Paid, order),
            SaleScripts.Expired => new Payment(PaymentStatus.Expired, order),
            SaleScripts.NotYours => new Payment(PaymentStatus.NotYours, null),
            _ => new Payment(PaymentStatus.NoOrder, null),
        };
    });

    /// <summary>
    /// Expires up to <paramref name="max"/> pending orders of the sale whose deadline passed: each unit goes back on sale
    /// and the replicas are told once. Safe from several processors at once. Returns the expired order ids.
    /// </summary>
    public Task<string[]> ExpireDueAsync(string saleId, int max) => CallAsync("EVALSHA", async database =>
        ((RedisResult[])(await database.ScriptEvaluateAsync(SaleScripts.ExpireDue, SaleKeys.For(saleId).ScriptKeys,
            [max, saleId, SaleKeys.ChangedChannel.ToString()]))!).Select(id => id.ToString()).ToArray());

    /// <summary>
    /// One round trip that tells a replica what it needs to keep its slice honest: the sale, how many replicas are alive
    /// (this one is marked alive by the call), and which of the purchases in doubt were made. Null when Redis has no
    /// such sale.
    /// </summary>
    public Task<SyncReply?> SyncAsync(string saleId, string replicaId, TimeSpan presenceTimeToLive, IReadOnlyList<PendingPurchase> inDoubt) =>
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

            var reply = (RedisResult[])(await database.ScriptEvaluateAsync(SaleScripts.Sync, SaleKeys.For(saleId).SyncKeys, arguments))!;
            if (reply.Length == 0)
            {
                return (SyncReply?)null;
            }

            var made = new bool[inDoubt.Count];
            for (var i = 0; i < made.Length; i++)
            {
                made[i] = (long)reply[4 + i] == 1;
            }

            return new SyncReply(ToState(reply), (int)(long)reply[3], made);
        });

    /// <summary>The sale, or null when Redis has none.</summary>
    public Task<SaleState?> GetAsync(string saleId) => CallAsync("HMGET", async database =>
    {
        var values = await database.HashGetAsync(SaleKeys.For(saleId).Sale, SaleFields);
        return values[0].IsNull ? (SaleState?)null : new SaleState((long)values[0], (long)values[1], (long)values[2]);
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

    /// <summary>Calls <paramref name="onChange"/> with the sale id of every reset or restock announced from now on.</summary>
    public Task SubscribeToChangesAsync(Func<string, Task> onChange) => CallAsync("SUBSCRIBE", async _ =>
    {
        await _redis.GetSubscriber().SubscribeAsync(SaleKeys.ChangedChannel, (_, saleId) => onChange(saleId.ToString()));
        return true;
    });

    private async Task<T> CallAsync<T>(string operation, Func<IDatabase, Task<T>> command)
    {
        using var span = StoreTelemetry.StartRedisCall(operation, Server);
        Task<T>? call = null;
        try
        {
            call = command(Database);
            return await call.WaitAsync(_commandTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
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

    /// <summary>Only a command that never left this process is surely not executed.</summary>
    private static bool NeverSent(Exception ex) => ex switch
    {
        RedisTimeoutException timeout => timeout.Commandstatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        RedisConnectionException connection => connection.CommandStatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        _ => false,
    };

    /// <summary>96 random bits: order ids are unguessable and never repeat, not even after Redis lost its data.</summary>
    private static string NewOrderId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    private static SaleState ToState(RedisResult[] reply) => new((long)reply[0], (long)reply[1], (long)reply[2]);

    /// <summary>Stored by the scripts as "user|replica|createdAtMs|expiresAtMs|status|paidAtMs|reference"; ids cannot contain '|'.</summary>
    private static Order? ToOrder(string saleId, string orderId, RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var parts = value.ToString().Split('|');
        return new Order(orderId, saleId, parts[0], parts[1], OrderStatuses.Parse(parts[4]),
            RedisTime.FromMilliseconds(parts[2])!.Value, RedisTime.FromMilliseconds(parts[3])!.Value,
            RedisTime.FromMilliseconds(parts[5]), parts[6] is { Length: > 0 } reference ? reference : null);
    }
}
