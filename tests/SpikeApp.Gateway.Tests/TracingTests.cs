using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace SpikeApp.Gateway.Tests;

public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task TheGatewaysServerSpanIsTheParentOfTheReplicasRequest()
    {
        await using var replica = await Backend.StartAsync("replica");
        await using var gateway = new GatewayHost([("replica", replica.Address, null)]);
        using var client = gateway.Start();

        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();

        // The replica's own server span takes this traceparent as its parent.
        var traceParent = Assert.Single(replica.TraceParents).Split('-');
        var gatewaySpan = Assert.Single(_stopped, span => span.TraceId.ToHexString() == traceParent[1] && span.Kind == ActivityKind.Server
            && span.SpanId.ToHexString() == traceParent[2]);
        Assert.Equal("01", traceParent[3]);
        Assert.True(gatewaySpan.Recorded);
    }

    [Fact]
    public async Task WhenTheReplicaDropsTheTraceTheGatewayDropsItsSpanAndKeepsTheHeaderToItself()
    {
        await using var replica = await Backend.StartAsync("replica");
        replica.Answer = context =>
        {
            var traceParent = context.Request.Headers.TraceParent.ToString().Split('-');
            context.Response.Headers["traceresponse"] = $"00-{traceParent[1]}-{ActivitySpanId.CreateRandom()}-00";
            return context.Response.WriteAsync("sold out");
        };
        await using var gateway = new GatewayHost([("replica", replica.Address, null)]);
        using var client = gateway.Start();

        using var response = await client.GetAsync("/buy/skill");

        var traceId = Assert.Single(replica.TraceParents).Split('-')[1];
        var gatewaySpan = Assert.Single(_stopped, span => span.TraceId.ToHexString() == traceId && span.Kind == ActivityKind.Server
            && span.ParentSpanId == default);
        Assert.False(gatewaySpan.Recorded);
        Assert.False(response.Headers.Contains("traceresponse"));
    }

    public void Dispose() => _listener.Dispose();
}
