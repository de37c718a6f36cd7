using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
    public async Task EachRequestStartsItsOwnTraceLinkedToTheRunAndCarriesItsOutcome()
    {
        var traceparents = new ConcurrentBag<string>();
        await using var api = await StubApi.StartAsync(app => app.MapGet("/buy/skill", (HttpRequest request) =>
        {
            traceparents.Add(request.Headers.TraceParent.ToString());
            return Results.Text("""{"code":-1,"msg":"已售罄"}""", "application/json");
        }));
        var options = new LoadGenOptions { Url = new Uri("http://127.0.0.1/"), Requests = 4, Concurrency = 2, Mode = LoadMode.Seed };

        using (var run = LoadGenTelemetry.StartRun(options))
        {
            await new LoadRunner(api.Client, options).RunAsync(LoadPhase.Run(options, "t4"), new RunCounters(), new OrderBook(), CancellationToken.None);
        }

        var runSpan = Assert.Single(_stopped, span => span.OperationName == LoadGenTelemetry.RunSpan);
        var requests = _stopped.Where(span => span.OperationName == LoadGenTelemetry.RequestSpan
            && span.Links.Any(link => link.Context.TraceId == runSpan.TraceId)).ToList();
        Assert.Equal(4, requests.Count);
        Assert.All(requests, span =>
        {
            Assert.Equal(default, span.ParentSpanId);
            Assert.NotEqual(runSpan.TraceId, span.TraceId);
            Assert.Equal("sold_out", span.GetTagItem("spike.loadgen.outcome"));
            Assert.Equal(200, span.GetTagItem("http.response.status_code"));
        });
        Assert.Equal(4, requests.Select(span => span.TraceId).Distinct().Count());
        // The API's spans join the request's trace.
        Assert.Equal(requests.Select(span => span.TraceId.ToHexString()).Order(), traceparents.Select(header => header.Split('-')[1]).Order());
    }

    public void Dispose() => _listener.Dispose();
}
