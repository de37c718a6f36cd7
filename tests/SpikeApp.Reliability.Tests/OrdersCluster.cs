using System.Globalization;
using Npgsql;
using SpikeApp.Testing;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// A sale on API replicas, PostgreSQL, and an order processor (which holds the ledger), all real processes on loopback,
/// with what the tests read of Redis and of the ledger.
/// </summary>
public sealed class OrdersCluster : IAsyncDisposable
{
    /// <summary>How long PostgreSQL may take to agree with Redis.</summary>
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(20);

    /// <summary>How often the replicas and the processors each check the deadlines.</summary>
    public const string ExpiryInterval = "00:00:00.200";

    private OrdersCluster(SpikeCluster cluster) => Cluster = cluster;

    public SpikeCluster Cluster { get; }

    public PostgresServerProcess Postgres => Cluster.Postgres!;

    public ApiProcess Processor => Cluster.Processor!;

    public static async Task<OrdersCluster> StartAsync(int total, string paymentWindow = "00:15:00", bool processorRunning = true, int batchSize = 500,
        int replicas = 2, string ledgerCheckInterval = "00:00:00.200")
    {
        var cluster = await SpikeCluster.StartAsync(replicas, total, bufferRatio: 0.2,
            settings: new Dictionary<string, string>
            {
                ["Spike__PaymentWindow"] = paymentWindow,
                ["Spike__RedisTimeout"] = "00:00:05",
                ["Spike__ExpiryInterval"] = ExpiryInterval,
            },
            ledger: new Dictionary<string, string>
            {
                ["Orders__BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
                ["Orders__ExpiryInterval"] = ExpiryInterval,
                ["Orders__ClaimAfter"] = "00:00:01",
                ["Orders__LedgerCheckInterval"] = ledgerCheckInterval,
            },
            processorRunning: processorRunning);
        return new OrdersCluster(cluster);
    }

    public Task<ApiProcess> StartProcessorAsync(string name) => Cluster.StartProcessorAsync(name);

    /// <summary>Order id to status, as Redis holds them (the record's fifth field).</summary>
    public async Task<Dictionary<string, string>> RedisStatusesAsync() =>
        (await Cluster.Redis.Database.HashGetAllAsync(SpikeCluster.Key("orders")))
            .ToDictionary(entry => entry.Name.ToString(), entry => entry.Value.ToString().Split('|')[4], StringComparer.Ordinal);

    public async Task<Dictionary<string, string>> PostgresStatusesAsync()
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT order_id, status FROM orders", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            statuses.Add(reader.GetString(0), reader.GetString(1));
        }

        return statuses;
    }

    /// <summary>One number the ledger holds, e.g. <c>SELECT count(*) FROM orders WHERE ...</c>.</summary>
    public async Task<long> PostgresScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The ledger's live (pending or paid) orders of the sale, over every round.</summary>
    public Task<long> LiveOrdersInPostgresAsync() =>
        PostgresScalarAsync($"SELECT count(*) FROM orders WHERE sale_id = '{SpikeCluster.SaleId}' AND status IN ('pending', 'paid')");

    /// <summary>Buyers the ledger holds more than one live order of in one round: none, ever.</summary>
    public Task<long> BuyersWithTwoLiveOrdersAsync() => PostgresScalarAsync(
        $"SELECT count(*) FROM (SELECT 1 FROM orders WHERE sale_id = '{SpikeCluster.SaleId}' AND status IN ('pending', 'paid') GROUP BY round, user_id HAVING count(*) > 1) AS twice");

    /// <summary>The incarnations the ledger recorded, oldest first: how each began.</summary>
    public async Task<List<string>> IncarnationsAsync()
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT began FROM sale_incarnations WHERE sale_id = '{SpikeCluster.SaleId}' AND began IS NOT NULL ORDER BY epoch", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var incarnations = new List<string>();
        while (await reader.ReadAsync())
        {
            incarnations.Add(reader.GetString(0));
        }

        return incarnations;
    }

    public async Task<long> PostgresCountAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM orders", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    public async Task<bool> EveryUnitPaidAsync(int total)
    {
        var statuses = await RedisStatusesAsync();
        return statuses.Values.Count(status => status == "paid") == total;
    }

    /// <summary>Waits until PostgreSQL holds every order Redis holds, each with the same status; how long that took.</summary>
    public async Task<TimeSpan> WaitUntilPostgresAgreesAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var redis = await RedisStatusesAsync();
            var postgres = await TryReadPostgresAsync();
            if (postgres is not null && redis.Count == postgres.Count && redis.All(order => postgres.GetValueOrDefault(order.Key) == order.Value))
            {
                return System.Diagnostics.Stopwatch.GetElapsedTime(started);
            }

            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < DrainLimit,
                $"PostgreSQL still disagrees with Redis after {DrainLimit}: Redis {Count(redis)}, PostgreSQL {(postgres is null ? "unreachable" : Count(postgres))}");
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<Dictionary<string, string>?> TryReadPostgresAsync()
    {
        try
        {
            return await PostgresStatusesAsync();
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    public static string Count(IReadOnlyDictionary<string, string> statuses) =>
        string.Join(", ", statuses.Values.GroupBy(status => status).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group => $"{group.Key} {group.Count()}"));

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
