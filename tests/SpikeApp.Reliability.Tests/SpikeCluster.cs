using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpikeApp.Testing;
using StackExchange.Redis;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// A sale on a fault-injectable cluster: one <see cref="RedisServerProcess"/> and several <see cref="ApiProcess"/> replicas,
/// and, with a ledger, PostgreSQL and an order processor (which opens the sale again after Redis restarts); with the
/// checks every fault test ends with.
/// </summary>
public sealed class SpikeCluster : IAsyncDisposable
{
    public const string SaleId = "default";
    public const string AdminKey = "reliability-admin-key-0123456789";

    private volatile ApiProcess[] _replicas;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private SpikeCluster(RedisServerProcess redis, LoopbackProxy? proxy, ApiProcess[] replicas, IReadOnlyDictionary<string, string> environment,
        int total, double bufferRatio)
    {
        Redis = redis;
        Proxy = proxy;
        _replicas = replicas;
        _environment = environment;
        Total = total;
        BufferRatio = bufferRatio;
        Slice = SliceFor(total, replicas.Length);
    }

    /// <summary>The ledger's PostgreSQL, when the cluster has one.</summary>
    public PostgresServerProcess? Postgres { get; private set; }

    /// <summary>The order processor, when the cluster has a ledger (started unless asked not to).</summary>
    public ApiProcess? Processor { get; private set; }

    /// <summary>What an order processor of this cluster is started with.</summary>
    public IReadOnlyDictionary<string, string> ProcessorEnvironment { get; private set; } = new Dictionary<string, string>();

    public RedisServerProcess Redis { get; }

    /// <summary>What the first replicas reach Redis through, when the cluster was started with proxied replicas.</summary>
    public LoopbackProxy? Proxy { get; }

    /// <summary>The replicas started with the cluster, then those <see cref="StartReplicaAsync"/> added.</summary>
    public IReadOnlyList<ApiProcess> Replicas => _replicas;

    public int Total { get; }

    public double BufferRatio { get; }

    /// <summary>A first slice of the whole sale among all the replicas the cluster started with.</summary>
    public int Slice { get; }

    static SpikeCluster()
    {
        // The test process is also the load generator and measures latency. On 2 cores the thread pool starts with 2
        // threads and adds about one every 0.5 s when starved, which showed up as client-side delay in the measurements.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }

    /// <param name="ledger">
    /// The order processor's settings (beyond its connection strings and the default sale) to run one with PostgreSQL;
    /// null for a cluster without a ledger, whose Redis must then never restart.
    /// </param>
    /// <param name="proxiedReplicas">How many replicas, from the first, reach Redis through <see cref="Proxy"/>, so a test can cut them off.</param>
    public static async Task<SpikeCluster> StartAsync(int replicas, int total, double bufferRatio, int redisTimeoutMilliseconds = 1000,
        IReadOnlyDictionary<string, string>? settings = null, IReadOnlyDictionary<string, string>? ledger = null, bool processorRunning = true,
        int proxiedReplicas = 0)
    {
        // Configured as the AppHost's local mode runs it, so a kill loses exactly what production would lose.
        var redis = new RedisServerProcess(appendOnly: true);
        await redis.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Spike__BufferRatio"] = bufferRatio.ToString(CultureInfo.InvariantCulture),
            ["Spike__DefaultSale__Id"] = SaleId,
            ["Spike__DefaultSale__Total"] = total.ToString(CultureInfo.InvariantCulture),
            ["Spike__RedisTimeout"] = TimeSpan.FromMilliseconds(redisTimeoutMilliseconds).ToString("c", CultureInfo.InvariantCulture),
            ["Spike__AdminKey"] = AdminKey,
            // These buyers retry faster than Retry-After asks, and a test may ask after one buyer's order many times while
            // a sale is restored: the per-buyer limit is not what these faults are about (the API's own tests check it).
            ["Spike__Buyers__RateLimit__TokenLimit"] = "1000",
            ["Spike__Buyers__RateLimit__TokensPerPeriod"] = "1000",
        };
        foreach (var (key, value) in TestBuyers.Environment.Concat(settings ?? new Dictionary<string, string>()))
        {
            environment[key] = value;
        }

        var proxy = proxiedReplicas > 0 ? new LoopbackProxy(redis.Port) : null;
        var proxied = new Dictionary<string, string>(environment) { ["ConnectionStrings__redis"] = redis.ConnectionStringThrough(proxy?.Port ?? redis.Port) };
        var apis = Enumerable.Range(0, replicas).Select(index => new ApiProcess($"replica-{index}", index < proxiedReplicas ? proxied : environment)).ToList();
        await Task.WhenAll(apis.Select(api => api.StartAsync("/alive")));
        // Replicas never create a sale (the ledger's processor does): the test creates it as an operator would.
        await CreateAsync(apis[0], total);
        await Task.WhenAll(apis.Select(api => api.WaitReadyAsync(TimeSpan.FromSeconds(30))));
        var cluster = new SpikeCluster(redis, proxy, [.. apis], environment, total, bufferRatio);
        if (ledger is not null)
        {
            await cluster.StartLedgerAsync(ledger, processorRunning);
        }

        return cluster;
    }

    /// <summary>Another order processor under <paramref name="name"/>, on the cluster's Redis and ledger.</summary>
    public async Task<ApiProcess> StartProcessorAsync(string name)
    {
        var processor = new ApiProcess(name, ProcessorEnvironment, ApiProcess.OrdersAssembly);
        await processor.StartAsync();
        return processor;
    }

    private async Task StartLedgerAsync(IReadOnlyDictionary<string, string> settings, bool processorRunning)
    {
        Postgres = new PostgresServerProcess();
        await Postgres.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = Redis.ConnectionString,
            ["ConnectionStrings__ordersdb"] = Postgres.ConnectionString,
            ["Spike__DefaultSale__Id"] = SaleId,
            ["Spike__DefaultSale__Total"] = Total.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        ProcessorEnvironment = environment;
        Processor = new ApiProcess("orders-1", environment, ApiProcess.OrdersAssembly);
        if (processorRunning)
        {
            await Processor.StartAsync();
        }
    }

    /// <summary>Another replica on the cluster's Redis, as a scale-up or a pod restarted under a new name adds one; ready when this returns.</summary>
    public async Task<ApiProcess> StartReplicaAsync(string replicaId)
    {
        var replica = new ApiProcess(replicaId, _environment);
        // A new array, so a balancer reading the list meanwhile never sees it change under it.
        _replicas = [.. _replicas, replica];
        await replica.StartAsync();
        return replica;
    }

    /// <summary>What a replica's slice is when it joins with <paramref name="remaining"/> units left among <paramref name="members"/> replicas.</summary>
    public int SliceFor(long remaining, int members) => (int)Math.Min(remaining, Math.Ceiling(remaining / (double)members * (1 + BufferRatio)));

    /// <summary>The replica ids the sale's membership holds now.</summary>
    public Task<string[]> MembersAsync() => SaleMembers.OfAsync(Redis.Database, SaleId);

    public static RedisKey Key(string name) => $"spike:{{{SaleId}}}:{name}";

    /// <summary>After Redis returns, the replicas reconnect on their own; waits until each answers for the sale again.</summary>
    public async Task WaitUntilSellingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var ready = true;
            foreach (var replica in Replicas)
            {
                using var probe = await replica.Client.GetAsync($"/api/sales/{SaleId}", cancellationToken);
                ready &= probe.StatusCode == HttpStatusCode.OK;
            }

            if (ready)
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public async Task<long> SoldAsync() => (long)await Redis.Database.HashGetAsync(Key("sale"), "sold");

    public async Task<long> EpochAsync() => (long)await Redis.Database.HashGetAsync(Key("sale"), "epoch");

    /// <summary>
    /// The stock-integrity invariants of the current round: sold &lt;= total; sold == its live orders == buyers == its
    /// "created" stream entries less its "expired" ones; no buyer holds two orders; every order a buyer was told about
    /// (201) is stored for that buyer; no running replica sold more than the units it was granted (its first slice and
    /// every refill).
    /// </summary>
    public async Task AssertInvariantsAsync(IReadOnlyDictionary<string, string> acknowledgedOrders, bool replicasRestarted = false)
    {
        var db = Redis.Database;
        var sold = await SoldAsync();
        var round = (string?)await db.HashGetAsync(Key("sale"), "round");
        Assert.InRange(sold, 0, Total);
        Assert.Equal(sold, await db.HashLengthAsync(Key("buyers")));
        var orders = (await db.HashGetAllAsync(Key("orders"))).Select(entry => (Id: entry.Name.ToString(), Record: entry.Value.ToString().Split('|')))
            .Where(order => order.Record[8] == round).ToList();
        var live = orders.Where(order => order.Record[4] is "pending" or "paid").ToList();
        Assert.Equal(sold, live.Count);
        if (Processor is null)
        {
            // Without a processor nothing trims the stream: it holds every change of the round.
            var entries = (await db.StreamRangeAsync(Key("stream"))).Where(entry => entry["round"] == round).ToList();
            Assert.Equal(sold, entries.Count(entry => entry["type"] == "created") - entries.Count(entry => entry["type"] == "expired"));
        }
        foreach (var (userId, orderId) in acknowledgedOrders)
        {
            Assert.Equal(orderId, (string?)await db.HashGetAsync(Key("buyers"), userId));
            Assert.StartsWith(userId + "|", (string?)await db.HashGetAsync(Key("orders"), orderId));
        }

        Assert.Equal(sold, live.Select(order => order.Record[0]).Distinct(StringComparer.Ordinal).LongCount());

        var byReplica = (await db.HashGetAllAsync(Key("sold-by-replica"))).ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value);
        Assert.Equal(sold, byReplica.Values.Sum());
        if (!replicasRestarted)
        {
            foreach (var replica in Replicas.Where(replica => replica.IsRunning))
            {
                var view = await replica.Client.GetFromJsonAsync<JsonElement>($"/api/sales/{SaleId}");
                var granted = view.GetProperty("replica").GetProperty("slice").GetInt64();
                Assert.InRange(byReplica.GetValueOrDefault(replica.ReplicaId), 0, granted);
            }
        }
    }

    /// <summary>Creates the sale as an operator does (PUT with the admin key, no If-Match) through <paramref name="replica"/>.</summary>
    public static async Task CreateAsync(ApiProcess replica, int total)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/sales/{SaleId}") { Content = JsonContent.Create(new { total }) };
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await replica.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Resets the sale as an operator does through <paramref name="replica"/>: reads it, then resets the epoch it read
    /// (PUT with the admin key and If-Match).
    /// </summary>
    public static async Task ResetAsync(ApiProcess replica, int total, CancellationToken cancellationToken,
        DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null)
    {
        using var current = await replica.Client.GetAsync($"/api/sales/{SaleId}", cancellationToken);
        current.EnsureSuccessStatusCode();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/sales/{SaleId}")
        {
            Content = JsonContent.Create(new SpikeApp.Contracts.Sales.SaleDefinition(total, opensAt, closesAt)),
        };
        request.Headers.Add("X-Admin-Key", AdminKey);
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        using var response = await replica.Client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>One purchase with the buyer's token; the status, the order id of a 201/200, and how long the answer took.</summary>
    public static async Task<Purchase> BuyAsync(ApiProcess replica, string userId, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var response = await replica.Client.BuyAsAsync(SaleId, userId, cancellationToken);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            string? orderId = null;
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                orderId = body.RootElement.GetProperty("orderId").GetString();
            }

            return new Purchase(userId, response.StatusCode, orderId, elapsed, response.Headers.RetryAfter?.Delta);
        }
        catch (HttpRequestException)
        {
            // The replica died under the request: no answer, so nothing was promised.
            return new Purchase(userId, null, null, System.Diagnostics.Stopwatch.GetElapsedTime(started), null);
        }
    }

    /// <summary>The order <paramref name="userId"/> holds, asked of <paramref name="replica"/> with their token; null when the buyer holds none.</summary>
    public static async Task<string?> OrderOfBuyerAsync(ApiProcess replica, string userId, CancellationToken cancellationToken)
    {
        var response = await replica.Client.GetMyOrderAsync(SaleId, userId, cancellationToken);
        // While Redis does not answer the lookup is 503 too; ask again as Retry-After invites.
        while (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            response.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            response = await replica.Client.GetMyOrderAsync(SaleId, userId, cancellationToken);
        }

        using var answered = response;
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("orderId").GetString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            replica.Dispose();
        }

        Processor?.Dispose();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        await Redis.DisposeAsync();
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}
