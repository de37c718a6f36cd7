using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.Api.Stock;
using SpikeApp.Store;

using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

[Collection(SharedRedis.Name)]
public sealed class TelemetryTests : IDisposable
{
    private static readonly ActivitySource TestSource = new("SpikeApp.Api.Tests");
    private static readonly TimeSpan SpanTimeout = TimeSpan.FromSeconds(10);

    private readonly RedisServerFixture _redis;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TelemetryTests(RedisServerFixture redis)
    {
        _redis = redis;
        // Touch the test source first so the listener below sees it among existing sources.
        _ = TestSource.Name;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is StockTelemetry.ActivitySourceName or StoreTelemetry.ActivitySourceName or "Microsoft.AspNetCore"
                || source.Name == TestSource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task APurchaseShowsLocalThenRemoteDeductionWithTheRedisCallUnderTheRemoteSpan()
    {
        await using var host = new ApiHost(_redis, total: 1);
        var client = await host.StartAsync();

        var traceId = await BuyInTraceAsync(client, host.SaleId, "alice", HttpStatusCode.Created);

        var request = await WaitForSpanAsync(traceId, span => span.Kind == ActivityKind.Server);
        var local = await WaitForSpanAsync(traceId, span => span.OperationName == StockTelemetry.LocalDeductSpan);
        var remote = await WaitForSpanAsync(traceId, span => span.OperationName == StockTelemetry.RemoteDeductSpan);
        var redisCall = await WaitForSpanAsync(traceId, IsRedisCall);

        Assert.Equal(request.SpanId, local.ParentSpanId);
        Assert.Equal(request.SpanId, remote.ParentSpanId);
        Assert.Equal(remote.SpanId, redisCall.ParentSpanId);
        Assert.True(local.StartTimeUtc <= remote.StartTimeUtc);
        Assert.Equal("taken", local.GetTagItem("spike.result"));
        Assert.Equal(PurchaseOutcomes.Success, remote.GetTagItem("spike.result"));
        Assert.Equal(host.SaleId, remote.GetTagItem("spike.sale"));
        Assert.Equal("replica-test", remote.GetTagItem("spike.replica"));
        Assert.Equal(("EVALSHA", ActivityKind.Client, "redis"), (redisCall.OperationName, redisCall.Kind, redisCall.GetTagItem("db.system.name")));
        Assert.Equal($"127.0.0.1:{_redis.Port}", redisCall.GetTagItem("server.address"));
    }

    [Fact]
    public void ARedisCallIsTracedInsideAnOperationAndABackgroundPollOnItsOwnIsNot()
    {
        Activity.Current = null;
        using var poll = StoreTelemetry.StartRedisCall("XREADGROUP", "127.0.0.1:6379");

        using var operation = TestSource.StartActivity("operation");
        using var call = StoreTelemetry.StartRedisCall("EVALSHA", "127.0.0.1:6379");

        Assert.Null(poll);
        Assert.NotNull(call);
        Assert.Equal(operation!.SpanId, call.ParentSpanId);
    }

    [Fact]
    public async Task APurchaseTheSliceCannotCoverHasNoRemoteSpan()
    {
        // Every sold-out answer keeps its trace here, so the one below is shown.
        await using var host = new ApiHost(_redis, total: 1, settings: new Dictionary<string, string?> { ["Spike:SoldOutTraceRatio"] = "1" });
        var client = await host.StartAsync();
        var soldTrace = await BuyInTraceAsync(client, host.SaleId, "alice", HttpStatusCode.Created);
        await WaitForSpanAsync(soldTrace, IsRedisCall);

        var soldOutTrace = await BuyInTraceAsync(client, host.SaleId, "bob", HttpStatusCode.Conflict);

        var request = await WaitForSpanAsync(soldOutTrace, span => span.Kind == ActivityKind.Server);
        var local = await WaitForSpanAsync(soldOutTrace, span => span.OperationName == StockTelemetry.LocalDeductSpan);
        Assert.Equal(request.SpanId, local.ParentSpanId);
        Assert.Equal("sold_out", local.GetTagItem("spike.result"));
        // The server span stops after the handler, so every span of this trace has been recorded by now.
        Assert.DoesNotContain(_stopped, span => span.TraceId == soldOutTrace
            && (span.OperationName == StockTelemetry.RemoteDeductSpan || IsRedisCall(span)));
    }

    [Fact]
    public async Task ASoldOutTheReplicaAlreadyKnewDropsItsTraceTellsTheCallerAndIsStillCounted()
    {
        await using var host = new ApiHost(_redis, total: 1, settings: new Dictionary<string, string?> { ["Spike:SoldOutTraceRatio"] = "0" });
        var client = await host.StartAsync();
        var soldTrace = await BuyInTraceAsync(client, host.SaleId, "alice", HttpStatusCode.Created);
        var outcomes = new ConcurrentQueue<string>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // Only this host's meter: other hosts in this process count their own purchases.
                if (instrument.Name == "spike.purchases" && instrument.Meter.Scope == host.Services.GetRequiredService<IMeterFactory>())
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) => outcomes.Enqueue((string)tags[0].Value!));
        meters.Start();

        using var root = TestSource.StartActivity("buy")!;
        using var response = await client.BuyAsAsync(host.SaleId, "bob");

        var request = await WaitForSpanAsync(root.TraceId, span => span.Kind == ActivityKind.Server);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.False(request.Recorded);
        Assert.DoesNotContain(_stopped, span => span.TraceId == root.TraceId && span.Source.Name == StockTelemetry.ActivitySourceName);
        Assert.Equal($"00-{root.TraceId}-{request.SpanId}-00", Assert.Single(response.Headers.GetValues("traceresponse")));
        Assert.Equal([PurchaseOutcomes.SoldOutLocal], outcomes);
        // The purchase that sold the last unit kept its whole trace.
        await WaitForSpanAsync(soldTrace, IsRedisCall);
    }

    [Fact]
    public async Task TheRedisDurationHistogramAdvisesBucketsThatResolveMilliseconds()
    {
        await using var host = new ApiHost(_redis);
        await host.StartAsync();
        IReadOnlyList<double>? buckets = null;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument is Histogram<double> { Name: "spike.stock.remote.duration" } histogram
                    && instrument.Meter.Scope == host.Services.GetRequiredService<IMeterFactory>())
                {
                    buckets = histogram.Advice?.HistogramBucketBoundaries;
                }
            },
        };
        meters.Start();

        // Seconds, as the unit says: a 2 ms Redis call lands between bounds a fraction of a millisecond apart.
        Assert.NotNull(buckets);
        Assert.Equal(buckets.Order(), buckets);
        Assert.InRange(buckets.Where(bound => bound <= 0.002).Max(), 0.0015, 0.002);
        Assert.InRange(buckets.First(bound => bound > 0.002), 0.002, 0.003);
        Assert.True(buckets[^1] >= 1, "A call that waits on the 1 s Redis timeout must still fall in a bucket of its own.");
    }

    [Fact]
    public async Task APurchaseThatFindsTheSliceDryShowsTheRefillAndItsRedisCall()
    {
        // Ten replicas share 10 units: this one's first slice is 2, the third purchase refills it.
        await using var host = new ApiHost(_redis, total: 10, replicas: 10, bufferRatio: 0.2,
            settings: new Dictionary<string, string?> { ["Spike:RefillInterval"] = "00:00:00" });
        var client = await host.StartAsync();
        await BuyInTraceAsync(client, host.SaleId, "alice", HttpStatusCode.Created);
        await BuyInTraceAsync(client, host.SaleId, "bob", HttpStatusCode.Created);

        var refilledTrace = await BuyInTraceAsync(client, host.SaleId, "carol", HttpStatusCode.Created);

        var request = await WaitForSpanAsync(refilledTrace, span => span.Kind == ActivityKind.Server);
        var refill = await WaitForSpanAsync(refilledTrace, span => span.OperationName == StockTelemetry.RefillSpan);
        var sync = await WaitForSpanAsync(refilledTrace, span => IsRedisCall(span) && span.ParentSpanId == refill.SpanId);
        var remote = await WaitForSpanAsync(refilledTrace, span => span.OperationName == StockTelemetry.RemoteDeductSpan);
        Assert.Equal(request.SpanId, refill.ParentSpanId);
        Assert.Equal("granted", refill.GetTagItem("spike.result"));
        // 8 units left among the ten replicas alive: 8 / 10 × 1.2, rounded up.
        Assert.Equal(1, refill.GetTagItem("spike.stock.granted"));
        Assert.Equal("EVALSHA", sync.OperationName);
        Assert.True(refill.StartTimeUtc <= remote.StartTimeUtc);
    }

    public void Dispose() => _listener.Dispose();

    private static bool IsRedisCall(Activity span) => span.Kind == ActivityKind.Client && "redis".Equals(span.GetTagItem("db.system.name"));

    private static async Task<ActivityTraceId> BuyInTraceAsync(HttpClient client, string saleId, string userId, HttpStatusCode expected)
    {
        // The client propagates the current trace, so every span of this purchase carries the root's trace id.
        using var root = TestSource.StartActivity("buy")!;
        var response = await client.BuyAsAsync(saleId, userId);

        Assert.Equal(expected, response.StatusCode);
        return root.TraceId;
    }

    private async Task<Activity> WaitForSpanAsync(ActivityTraceId traceId, Func<Activity, bool> match)
    {
        using var timeout = new CancellationTokenSource(SpanTimeout);
        while (true)
        {
            var span = _stopped.FirstOrDefault(span => span.TraceId == traceId && match(span));
            if (span is not null)
            {
                return span;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
