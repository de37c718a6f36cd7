using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SpikeApp.LoadGen.Buyers;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;

namespace SpikeApp.LoadGen.Tests;

public sealed class LoadGenTelemetryTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public LoadGenTelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LoadGenTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task EachRequestStartsItsOwnTrace()
    {
        var run = await RunAsync();

        Assert.All(run.Requests, span =>
        {
            Assert.Equal(default, span.ParentSpanId);
            Assert.NotEqual(run.Run.TraceId, span.TraceId);
        });
        Assert.Equal(4, run.Requests.Select(span => span.TraceId).Distinct().Count());
    }

    [Fact]
    public async Task EachRequestIsLinkedToTheRun()
    {
        var run = await RunAsync();

        Assert.Equal(4, run.Requests.Count(span => span.Links.Any(link => link.Context.TraceId == run.Run.TraceId)));
    }

    [Fact]
    public async Task EachRequestIsTaggedWithTheAnswer()
    {
        var run = await RunAsync();

        Assert.Equal(
            Enumerable.Repeat<(object?, object?)>(("sold_out", 200), 4),
            run.Requests.Select(span => (span.GetTagItem("spike.loadgen.outcome"), span.GetTagItem("http.response.status_code"))));
    }

    [Fact]
    public async Task TheApisSpansJoinTheRequestsTrace()
    {
        var run = await RunAsync();

        Assert.Equal(run.Requests.Select(span => span.TraceId.ToHexString()).Order(), run.TraceParents.Select(header => header.Split('-')[1]).Order());
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// A run of 4 seed-mode requests. Other tests' runs may be traced at the same time: the run span is told from theirs
    /// by its trace, the request spans by the traces the stub API saw.
    /// </summary>
    private async Task<TracedRun> RunAsync()
    {
        var traceparents = new ConcurrentBag<string>();
        await using var api = await StubApi.StartAsync(app => app.MapGet("/buy/skill", (HttpRequest request) =>
        {
            traceparents.Add(request.Headers.TraceParent.ToString());
            return Results.Text("""{"code":-1,"msg":"已售罄"}""", "application/json");
        }));
        var options = new LoadGenOptions { Url = new Uri("http://127.0.0.1/"), Requests = 4, Concurrency = 2, Mode = LoadMode.Seed };

        ActivityTraceId runTrace;
        using (var run = LoadGenTelemetry.StartRun(options))
        {
            runTrace = run!.TraceId;
            await new LoadRunner(api.Client, options).RunAsync(LoadPhase.Run(options, "t4"), BuyerTokens.None, new RunCounters(), new OrderBook(), CancellationToken.None);
        }

        var runSpan = Assert.Single(_stopped, span => span.OperationName == LoadGenTelemetry.RunSpan && span.TraceId == runTrace);
        var traceIds = traceparents.Select(header => header.Split('-')[1]).ToHashSet(StringComparer.Ordinal);
        var requests = _stopped.Where(span => span.OperationName == LoadGenTelemetry.RequestSpan && traceIds.Contains(span.TraceId.ToHexString())).ToList();
        return new TracedRun(runSpan, requests, [.. traceparents]);
    }

    private sealed record TracedRun(Activity Run, IReadOnlyList<Activity> Requests, IReadOnlyList<string> TraceParents);
}
