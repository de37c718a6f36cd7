using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using SpikeApp.Contracts.Buy;
using SpikeApp.Store;
using SpikeApp.Testing;
using StackExchange.Redis;

namespace SpikeApp.Api.Tests;

[Collection(SharedRedis.Name)]
public class WarmupTests(RedisServerFixture redis)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HealthIsUnhealthyUntilTheWarmupRanAndHealthyAfter()
    {
        await using var host = new ApiHost(redis);
        var client = await host.StartUnreadyAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var first = await client.GetAsync("/health");
        var warming = (await health.CheckHealthAsync(check => check.Name == "warmup")).Entries["warmup"];
        await WaitHealthyAsync(client);
        var warmed = (await health.CheckHealthAsync(check => check.Name == "warmup")).Entries["warmup"];

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HealthStatus.Unhealthy, warming.Status);
        Assert.StartsWith("Not warmed up yet", warming.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, warmed.Status);
        // Rounds of 400 requests, each selling its 50 scratch units: three, then more while the JIT still compiled.
        var done = System.Text.RegularExpressions.Regex.Match(warmed.Description!, @"^Warmed up: (\d+) requests \((\d+) scratch units sold\) in (\d+) rounds");
        Assert.True(done.Success, warmed.Description);
        var rounds = int.Parse(done.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(rounds, WarmupRounds.MinRounds, WarmupRounds.MaxRounds);
        Assert.Equal((400 * rounds).ToString(System.Globalization.CultureInfo.InvariantCulture), done.Groups[1].Value);
        Assert.Equal((50 * rounds).ToString(System.Globalization.CultureInfo.InvariantCulture), done.Groups[2].Value);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task TheWarmupEndsWithAFullCollectionSoTheFirstStampedeDoesNotPayForStartUp()
    {
        var fullCollections = GC.CollectionCount(GC.MaxGeneration);
        var roundsRun = 0;

        var result = await WarmupRounds.RunAsync((_, _) => { roundsRun++; return Task.CompletedTask; }, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(result.Rounds, roundsRun);
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > fullCollections, "no full collection after the warm-up's rounds");
    }

    [Fact]
    public async Task WarmingUpIsNotReadyWithoutBeingLoggedAsAnError()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = new ApiHost(redis, logs: logs);
        var client = await host.StartUnreadyAsync();

        var first = await client.GetAsync("/health");
        await WaitHealthyAsync(client);

        // Probed while it warms up, /health waits on the warm-up's gate: it is not a failing health check, which the
        // health-check service would log as an error at every start.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.DoesNotContain(logs.Lines, line => line.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheWarmupLeavesNoTraceOnAnySaleAndCountsNoPurchase()
    {
        await using var host = new ApiHost(redis, total: 5);
        await new RedisSaleStore(redis.Connection, ReadyTimeout).BeginAsync(host.SaleId, 5, expectedEpoch: null);
        var keys = SaleKeys.For(host.SaleId);
        var before = await SnapshotAsync(keys);
        var announced = new ConcurrentQueue<string>();
        var subscriber = redis.Connection.GetSubscriber();
        await subscriber.SubscribeAsync(SaleKeys.ChangedChannel, (_, saleId) => announced.Enqueue(saleId.ToString()));
        var counted = new ConcurrentQueue<(object? Scope, string Outcome)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "spike.purchases")
                {
                    listener.EnableMeasurementEvents(instrument, instrument.Meter.Scope);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, scope) => counted.Enqueue((scope, (string)tags[0].Value!)));
        meters.Start();

        var client = await host.StartAsync();
        var after = await SnapshotAsync(keys);
        var scratchKeys = await ScratchKeysAsync();
        await subscriber.UnsubscribeAsync(SaleKeys.ChangedChannel);

        Assert.Equal(before, after);
        Assert.Empty(scratchKeys);
        Assert.Empty(announced);
        Assert.DoesNotContain(counted, measurement => measurement.Scope == host.Services.GetRequiredService<IMeterFactory>());
        // The sale is untouched: all five units are still there to sell.
        Assert.Equal(SeedMessages.SoldBody, await client.GetStringAsync("/buy/skill"));
    }

    [Fact]
    public async Task AWarmupHeaderFromOutsideIsAnOrdinaryRequest()
    {
        await using var host = new ApiHost(redis, total: 1);
        var client = await host.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/buy/skill") { Headers = { { WarmupRequests.HeaderName, new string('0', 64) } } };

        var bought = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Equal(SeedMessages.SoldBody, bought);
        Assert.Equal("1", (string?)await redis.Database.HashGetAsync(SaleKeys.For(host.SaleId).Sale, "sold"));
    }

    [Fact]
    public async Task ADisabledWarmupIsReadyAtOnce()
    {
        await using var host = new ApiHost(redis, settings: new Dictionary<string, string?> { ["Spike:Warmup:Enabled"] = "false" });
        await host.StartAsync();

        var warmup = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Name == "warmup")).Entries["warmup"];

        Assert.Equal((HealthStatus.Healthy, "Warm-up disabled (Spike:Warmup:Enabled)."), (warmup.Status, warmup.Description));
    }

    private async Task<string> SnapshotAsync(SaleKeys keys)
    {
        var database = redis.Database;
        var sale = await database.HashGetAllAsync(keys.Sale);
        var directory = (await database.SetMembersAsync(SaleKeys.AllSales)).Select(id => id.ToString()).Order(StringComparer.Ordinal);
        return string.Join(" | ",
            string.Join(",", sale.OrderBy(entry => entry.Name.ToString(), StringComparer.Ordinal).Select(entry => $"{entry.Name}={entry.Value}")),
            $"stream {await database.StreamLengthAsync(keys.Stream)}",
            $"orders {await database.HashLengthAsync(keys.Orders)}",
            $"buyers {await database.HashLengthAsync(keys.Buyers)}",
            $"sold-by-replica {await database.HashLengthAsync(keys.SoldByReplica)}",
            $"deadlines {await database.SortedSetLengthAsync(keys.Deadlines)}",
            $"directory {string.Join(",", directory)}");
    }

    private async Task<List<string>> ScratchKeysAsync()
    {
        var found = new List<string>();
        await foreach (var key in redis.Server.KeysAsync(pattern: "spike:{warmup-*"))
        {
            found.Add(key.ToString());
        }

        return found;
    }

    private static async Task WaitHealthyAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while ((await client.GetAsync("/health", timeout.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
