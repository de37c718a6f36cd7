using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SpikeApp.Testing;
using Xunit.Abstractions;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// Orders flow from Redis into PostgreSQL through the order processor (a real SpikeApp.Orders process), get paid or
/// expire, and Redis and PostgreSQL end up agreeing on every order — across a processor kill and a PostgreSQL outage.
/// </summary>
[Collection(nameof(FaultTests))]
public class OrderProcessingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AbandonedOrdersExpireAndAsLongAsBuyersComeEveryUnitEndsPaid()
    {
        const int total = 60;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersSetup.StartAsync(total, paymentWindow: "00:00:02");
        var buyers = 0;
        var abandoned = 0;

        // Waves of new buyers; 7 in 10 pay what they got, the rest walk away and their units come back after the window.
        while (!await orders.EveryUnitPaidAsync(total))
        {
            var wave = Enumerable.Range(buyers, 40).ToList();
            buyers += wave.Count;
            await Parallel.ForEachAsync(wave, timeout.Token, async (buyer, token) =>
            {
                var replica = orders.Cluster.Replicas[buyer % orders.Cluster.Replicas.Count];
                var purchase = await SpikeCluster.BuyAsync(replica, $"buyer-{buyer}", token);
                if (purchase.Status != HttpStatusCode.Created)
                {
                    return;
                }

                if (buyer % 10 < 7)
                {
                    using var paid = await replica.Client.PostAsJsonAsync($"/api/sales/{SpikeCluster.SaleId}/orders/{purchase.OrderId}/payment",
                        new { userId = purchase.UserId, paymentReference = $"pay-{buyer}" }, token);
                    Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
                }
                else
                {
                    Interlocked.Increment(ref abandoned);
                }
            });
            await Task.Delay(500, timeout.Token);
        }

        var drained = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        var statuses = await orders.RedisStatusesAsync();
        output.WriteLine($"{buyers} buyers, {abandoned} abandoned their order; Redis: {Count(statuses)}; PostgreSQL agreed after {drained.TotalSeconds:0.0} s");
        Assert.Equal(total, statuses.Values.Count(status => status == "paid"));
        Assert.Equal(abandoned, statuses.Values.Count(status => status == "expired"));
        Assert.True(abandoned > 0);
        Assert.Equal(total, await orders.Cluster.SoldAsync());
    }

    [Fact]
    public async Task AProcessorKilledMidStreamLeavesEveryOrderInPostgresExactlyOnce()
    {
        const int total = 20_000;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersSetup.StartAsync(total, processorRunning: false, batchSize: 50);
        var crowd = new Crowd();
        await crowd.BuyAsync(Crowd.Buyers("buyer", total), buyer => orders.Cluster.Replicas[buyer % 2], 32, timeout.Token);
        Assert.Equal(total, crowd.Acknowledged.Count);

        await orders.Processor.StartAsync();
        while (await orders.PostgresCountAsync() < total / 10)
        {
            await Task.Delay(10, timeout.Token);
        }

        orders.Processor.Kill();
        var storedAtKill = await orders.PostgresCountAsync();
        // A second processor under another name: it must claim what the dead one was given and never acknowledged.
        using var successor = await orders.StartProcessorAsync("orders-successor");
        var drained = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        output.WriteLine($"Processor killed with {storedAtKill} of {total} orders stored; its successor finished {drained.TotalSeconds:0.0} s later");
        Assert.InRange(storedAtKill, total / 10, total - 1);
        Assert.Equal(total, await orders.PostgresCountAsync());
        Assert.Equal(crowd.Acknowledged.Values.Order(), (await orders.PostgresStatusesAsync()).Keys.Order());
    }

    [Fact]
    public async Task WhilePostgresIsDownPurchasesGoOnAndTheProcessorCatchesUpAfterwards()
    {
        const int total = 1000;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersSetup.StartAsync(total);
        var before = new Crowd();
        await before.BuyAsync(Crowd.Buyers("before", 300), buyer => orders.Cluster.Replicas[buyer % 2], 16, timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        orders.Postgres.Kill();
        var during = new Crowd();
        await during.BuyAsync(Crowd.Buyers("during", 300), buyer => orders.Cluster.Replicas[buyer % 2], 16, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(5), timeout.Token);
        await orders.Postgres.StartAsync();
        var drained = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        output.WriteLine($"PostgreSQL down 5 s: purchases meanwhile {during.Describe()}; stored after restart within {drained.TotalSeconds:0.0} s");
        Assert.Equal(300, during.Acknowledged.Count);
        Assert.Equal(600, await orders.PostgresCountAsync());
        Assert.InRange(drained, TimeSpan.Zero, DrainLimit);
    }

    private static string Count(IReadOnlyDictionary<string, string> statuses) =>
        string.Join(", ", statuses.Values.GroupBy(status => status).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group => $"{group.Key} {group.Count()}"));

    /// <summary>A sale on 2 API replicas, PostgreSQL, and one order processor, all real processes on loopback.</summary>
    private sealed class OrdersSetup : IAsyncDisposable
    {
        private readonly Dictionary<string, string> _processorEnvironment;

        private OrdersSetup(SpikeCluster cluster, PostgresServerProcess postgres, Dictionary<string, string> processorEnvironment)
        {
            Cluster = cluster;
            Postgres = postgres;
            _processorEnvironment = processorEnvironment;
            Processor = new ApiProcess("orders-1", processorEnvironment, ApiProcess.OrdersAssembly);
        }

        public SpikeCluster Cluster { get; }

        public PostgresServerProcess Postgres { get; }

        public ApiProcess Processor { get; }

        public static async Task<OrdersSetup> StartAsync(int total, string paymentWindow = "00:15:00", bool processorRunning = true, int batchSize = 500)
        {
            var cluster = await SpikeCluster.StartAsync(replicas: 2, total, bufferRatio: 0.2,
                settings: new Dictionary<string, string> { ["Spike__PaymentWindow"] = paymentWindow, ["Spike__RedisTimeout"] = "00:00:05" });
            var postgres = new PostgresServerProcess();
            await postgres.StartAsync();
            var setup = new OrdersSetup(cluster, postgres, new Dictionary<string, string>
            {
                ["ConnectionStrings__redis"] = cluster.Redis.ConnectionString,
                ["ConnectionStrings__ordersdb"] = postgres.ConnectionString,
                ["Orders__BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
                ["Orders__ExpiryInterval"] = "00:00:00.200",
                ["Orders__ClaimAfter"] = "00:00:01",
            });
            if (processorRunning)
            {
                await setup.Processor.StartAsync();
            }

            return setup;
        }

        public async Task<ApiProcess> StartProcessorAsync(string name)
        {
            var processor = new ApiProcess(name, _processorEnvironment, ApiProcess.OrdersAssembly);
            await processor.StartAsync();
            return processor;
        }

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

        public async ValueTask DisposeAsync()
        {
            Processor.Dispose();
            await Cluster.DisposeAsync();
            await Postgres.DisposeAsync();
        }
    }
}
