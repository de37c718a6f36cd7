using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using SpikeApp.Contracts.Orders;
using SpikeApp.Orders.Processing;
using SpikeApp.Store;
using SpikeApp.Store.Expiry;
using SpikeApp.Store.Loops;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace SpikeApp.Orders.Tests;

/// <summary>
/// The processor fails honestly: a Redis user that may not create the order stream's consumer group, or a Redis that
/// stalls while the processor creates it, leaves it up and not Healthy, expiring unpaid orders all along, and every order
/// is stored once Redis lets it. Two buyers pay, two walk away from their orders.
/// </summary>
[Collection(InProcessProcessors.Name)]
public class LoopFailureTests(ITestOutputHelper output)
{
    private const string SaleId = "loop-failures";
    private const string User = "orders-processor";
    private const string AllStored = """{"saleId":"loop-failures","pending":0,"paid":2,"expired":2,"voided":0,"total":4}""";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WithoutXGroupTheProcessorStaysUpDegradedExpiresOrdersAndStoresThemOncePermitted()
    {
        await using var servers = await Servers.StartAsync();
        using var counters = new LoopCounters();
        var logs = new LoopLogs();
        await using var processor = servers.Processor(logs);
        using var client = await processor.StartAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        var failingSince = Stopwatch.GetTimestamp();

        var abandoned = await servers.SellAsync(TimeSpan.FromSeconds(1), timeout.Token);
        await WaitUntilAsync(async () => await servers.ExpiredAsync(abandoned) == 2, timeout.Token);
        // Several rounds refused, each after a longer back-off: still one log line.
        await WaitUntilAsync(() => Task.FromResult(counters.FailuresOf(OrderPersister.Loop) >= 3), timeout.Token);

        // Up, expiring, and honest: the persister cannot store anything and says why.
        Assert.Equal(2, counters.Expired);
        Assert.Equal(2, (await servers.Store.GetAsync(SaleId))!.Value.Sold);
        Assert.Equal("Degraded", await client.GetStringAsync(new Uri("/health", UriKind.Relative), timeout.Token));
        var persist = (await processor.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(timeout.Token)).Entries["orders-schema"];
        Assert.Equal(HealthStatus.Degraded, persist.Status);
        Assert.Contains("NOPERM", persist.Description, StringComparison.Ordinal);
        Assert.Equal("""{"saleId":"loop-failures","pending":0,"paid":0,"expired":0,"voided":0,"total":0}""", await SummaryAsync(client, timeout.Token));
        Assert.False(processor.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);

        await servers.Redis.Server.ExecuteAsync("ACL", "SETUSER", User, "+xgroup");
        var granted = Stopwatch.GetTimestamp();
        await WaitUntilAsync(async () => await SummaryAsync(client, timeout.Token) == AllStored, timeout.Token);
        var storedAfter = Stopwatch.GetElapsedTime(granted);
        await WaitUntilAsync(async () => await client.GetStringAsync(new Uri("/health", UriKind.Relative), timeout.Token) == "Healthy", timeout.Token);
        var failingFor = Stopwatch.GetElapsedTime(failingSince);
        output.WriteLine($"No XGROUP for {failingFor.TotalSeconds:0.0} s: {await servers.RefusedXGroupAsync()} refused XGROUP calls, " +
            $"failures counted {string.Join(", ", counters.Failures)}; {counters.Expired} orders expired meanwhile; all 4 stored " +
            $"{storedAfter.TotalSeconds:0.0} s after the grant; log lines: {logs.Count(OrderPersister.Loop, LoopLogs.Failing)} failing, " +
            $"{logs.Count(OrderPersister.Loop, LoopLogs.StillFailing)} still failing, {logs.Count(OrderPersister.Loop, LoopLogs.Recovered)} recovered");

        // One failure counted per refused XGROUP (Redis' own count), nothing else failed, and the outage took two log lines.
        Assert.Equal(await servers.RefusedXGroupAsync(), counters.FailuresOf(OrderPersister.Loop));
        Assert.Equal(new[] { OrderPersister.Loop }, counters.Failures.Keys);
        Assert.True(failingFor < LoopHealth.LogInterval, $"The outage lasted {failingFor}: a reminder line is due after {LoopHealth.LogInterval}.");
        Assert.Equal(1, logs.Count(OrderPersister.Loop, LoopLogs.Failing));
        Assert.Equal(0, logs.Count(OrderPersister.Loop, LoopLogs.StillFailing));
        Assert.Equal(1, logs.Count(OrderPersister.Loop, LoopLogs.Recovered));
        Assert.False(processor.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task ARedisStallWhileTheGroupIsCreatedLeavesTheProcessorUpAndEveryOrderStored()
    {
        await using var servers = await Servers.StartAsync();
        using var counters = new LoopCounters();
        await using var processor = servers.Processor();
        using var client = await processor.StartAsync();
        using var timeout = new CancellationTokenSource(Timeout);

        // Deadlines inside the stall: these orders can only expire once Redis answers again.
        var abandoned = await servers.SellAsync(TimeSpan.FromSeconds(2), timeout.Token);
        await WaitUntilAsync(() => Task.FromResult(counters.FailuresOf(OrderPersister.Loop) > 0), timeout.Token);

        // The refusal held the processor in its group creation; in one transaction it may create the group and Redis
        // stalls all clients for longer than the processor's command timeout, so its next try meets the stall.
        var stall = TimeSpan.FromSeconds(10);
        var transaction = servers.Redis.Database.CreateTransaction();
        _ = transaction.ExecuteAsync("ACL", "SETUSER", User, "+xgroup");
        _ = transaction.ExecuteAsync("CLIENT", "PAUSE", (long)stall.TotalMilliseconds, "ALL");
        Assert.True(await transaction.ExecuteAsync());
        var stalled = Stopwatch.GetTimestamp();

        await WaitUntilAsync(() => Task.FromResult(counters.FailuresOf(OrderExpirer.Loop) > 0), timeout.Token);
        // Its loops' own checks: /health as a whole also pings Redis, which waits out the stall.
        var loops = await processor.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Name is "orders-schema" or OrderExpirer.Loop, timeout.Token);
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative), timeout.Token);
        var seenAfter = Stopwatch.GetElapsedTime(stalled);
        Assert.True(seenAfter < stall, $"Redis answered again before the processor was seen failing ({seenAfter}).");
        Assert.Equal(HealthStatus.Degraded, loops.Entries["orders-schema"].Status);
        Assert.Equal(HealthStatus.Degraded, loops.Entries[OrderExpirer.Loop].Status);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        await WaitUntilAsync(async () => await SummaryAsync(client, timeout.Token) == AllStored, timeout.Token);
        var storedAfter = Stopwatch.GetElapsedTime(stalled);
        await WaitUntilAsync(async () => await client.GetStringAsync(new Uri("/health", UriKind.Relative), timeout.Token) == "Healthy", timeout.Token);
        output.WriteLine($"Redis paused {stall.TotalSeconds:0} s at group creation: failures counted {string.Join(", ", counters.Failures)}; " +
            $"seen failing {seenAfter.TotalSeconds:0.0} s in; all 4 orders stored {storedAfter.TotalSeconds:0.0} s after the pause began; {counters.Expired} expired");
        // Expired by the processor, though not always counted: an expiry call it gave up on during the stall may be the
        // one Redis runs when it wakes.
        Assert.Equal(2, await servers.ExpiredAsync(abandoned));
        Assert.Equal(2, (await servers.Store.GetAsync(SaleId))!.Value.Sold);
        Assert.False(processor.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    private static async Task<string> SummaryAsync(HttpClient client, CancellationToken cancellationToken) =>
        await client.GetStringAsync(new Uri($"/api/orders/{SaleId}/summary", UriKind.Relative), cancellationToken);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Redis with a user for the processor that may do anything but <c>XGROUP</c>, and PostgreSQL.</summary>
    private sealed class Servers : IAsyncDisposable
    {
        private readonly string _password = Guid.NewGuid().ToString("N");

        private Servers(RedisServerProcess redis, PostgresServerProcess postgres)
        {
            Redis = redis;
            Postgres = postgres;
            Store = new RedisSaleStore(redis.Connection, Timeout);
        }

        public RedisServerProcess Redis { get; }

        public PostgresServerProcess Postgres { get; }

        /// <summary>The test's own store, as a replica sells and takes payments.</summary>
        public RedisSaleStore Store { get; }

        public static async Task<Servers> StartAsync()
        {
            var redis = new RedisServerProcess();
            await redis.StartAsync();
            var postgres = new PostgresServerProcess();
            await postgres.StartAsync();
            var servers = new Servers(redis, postgres);
            await redis.Server.ExecuteAsync("ACL", "SETUSER", User, "on", ">" + servers._password, "~*", "&*", "+@all", "-xgroup");
            return servers;
        }

        /// <summary>The processor as <see cref="User"/>; it creates the sale (total 4) and expires orders every 100 ms.</summary>
        public OrdersHost Processor(LoopLogs? logs = null) => new(Redis, Postgres, new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = $"127.0.0.1:{Redis.Port},user={User},password={_password}",
            ["Spike:DefaultSale:Id"] = SaleId,
            ["Spike:DefaultSale:Total"] = "4",
            ["Orders:ExpiryInterval"] = "00:00:00.100",
            // The loops' recoveries are logged at Information.
            ["Logging:LogLevel:SpikeApp"] = "Information",
        }, logs);

        /// <summary>Once the processor opened the sale: two buyers pay at once, two never do; answers the unpaid orders.</summary>
        public async Task<string[]> SellAsync(TimeSpan paymentWindow, CancellationToken cancellationToken)
        {
            SaleState? sale;
            while ((sale = await Store.GetAsync(SaleId)) is null || !await Store.IsOpenAsync(SaleId))
            {
                await Task.Delay(50, cancellationToken);
            }

            var abandoned = new List<string>();
            foreach (var buyer in new[] { "payer-1", "payer-2", "walker-1", "walker-2" })
            {
                var bought = await Store.DeductAsync(SaleId, sale.Value.Epoch, buyer, "replica-test", paymentWindow);
                Assert.Equal(DeductionStatus.Created, bought.Status);
                if (buyer.StartsWith("payer", StringComparison.Ordinal))
                {
                    Assert.Equal(PaymentStatus.Paid, (await Store.PayAsync(SaleId, bought.OrderId!, buyer, "pay-" + buyer)).Status);
                }
                else
                {
                    abandoned.Add(bought.OrderId!);
                }
            }

            return [.. abandoned];
        }

        public async Task<int> ExpiredAsync(IEnumerable<string> orderIds)
        {
            var expired = 0;
            foreach (var orderId in orderIds)
            {
                expired += (await Store.GetOrderAsync(SaleId, orderId))?.Status == OrderStatus.Expired ? 1 : 0;
            }

            return expired;
        }

        /// <summary>How many XGROUP calls of <see cref="User"/> Redis refused, by its ACL log.</summary>
        public async Task<long> RefusedXGroupAsync()
        {
            var refused = 0L;
            foreach (var entry in (RedisResult[])(await Redis.Server.ExecuteAsync("ACL", "LOG"))!)
            {
                var fields = entry.ToDictionary();
                if ((string?)fields["username"] == User && ((string?)fields["object"])!.StartsWith("xgroup", StringComparison.Ordinal))
                {
                    refused += (long)fields["count"];
                }
            }

            return refused;
        }

        public async ValueTask DisposeAsync()
        {
            await Redis.DisposeAsync();
            await Postgres.DisposeAsync();
        }
    }
}
