using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
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

    [Fact]
    public async Task AClientsTraceParentIsOnlyALinkTheGatewayStartsANewTrace()
    {
        await using var replica = await Backend.StartAsync("replica");
        await using var gateway = new GatewayHost([("replica", replica.Address, null)]);
        using var client = gateway.Start();
        var clientTraceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/buy/skill");
        // Flags 00: the client asks for its request not to be traced.
        request.Headers.Add("traceparent", $"00-{clientTraceId}-{ActivitySpanId.CreateRandom()}-00");
        request.Headers.Add("tracestate", "client=chosen");

        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var gatewaySpan = await SingleStoppedAsync(span => span.Kind == ActivityKind.Server && LinksTo(span, clientTraceId));
        var traceParent = Assert.Single(replica.TraceParents).Split('-');
        Assert.NotEqual(clientTraceId, gatewaySpan.TraceId);
        Assert.Equal(default, gatewaySpan.ParentSpanId);
        Assert.Null(gatewaySpan.TraceStateString);
        Assert.True(gatewaySpan.Recorded);
        Assert.Equal((gatewaySpan.TraceId.ToHexString(), gatewaySpan.SpanId.ToHexString()), (traceParent[1], traceParent[2]));
        Assert.DoesNotContain(_stopped, span => span.TraceId == clientTraceId);
    }

    [Fact]
    public async Task StoredAnswersAskedForUnderAChosenTraceIdKeepTheSampledShareOfTracesNotAll()
    {
        await using var replica = await Backend.StartAsync("replica");
        replica.Answer = context =>
        {
            var body = Encoding.UTF8.GetBytes("""{"code":-1,"msg":"已售罄"}""");
            context.Response.Headers.CacheControl = "max-age=0, s-maxage=60";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        };
        await using var gateway = new GatewayHost([("replica", replica.Address, null)], new Dictionary<string, string?>
        {
            ["Gateway:MaxSharedAnswerAge"] = "00:01:00",
            ["Gateway:SharedAnswerTraceRatio"] = "0.1",
        });
        using var client = gateway.Start();
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        // Its low 64 bits are 1: under any ratio above 0, a sampler deciding by this trace id keeps it.
        var chosen = ActivityTraceId.CreateFromString("00000000000000000000000000000001");

        for (var request = 0; request < 1000; request++)
        {
            using var replay = new HttpRequestMessage(HttpMethod.Get, "/buy/skill");
            replay.Headers.Add("traceparent", $"00-{chosen}-00f067aa0ba902b7-01");
            (await client.SendAsync(replay)).EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var kept = _stopped.Count(span => span.Kind == ActivityKind.Server && LinksTo(span, chosen) && span.Recorded
            && Equals(span.GetTagItem("spike.gateway.answer"), "stored"));

        Assert.Equal(1, replica.Served);
        // 10% of 1,000, give or take five standard deviations.
        Assert.InRange(kept, 50, 150);
    }

    private static bool LinksTo(Activity span, ActivityTraceId traceId) => span.Links.Any(link => link.Context.TraceId == traceId);

    /// <summary>A server span stops as its response is sent, so it may stop just after the client has read the answer.</summary>
    private async Task<Activity> SingleStoppedAsync(Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!_stopped.Any(match) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return Assert.Single(_stopped, span => match(span));
    }

    public void Dispose() => _listener.Dispose();
}
