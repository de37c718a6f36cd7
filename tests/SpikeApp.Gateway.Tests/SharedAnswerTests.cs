using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SpikeApp.Gateway.Tests;

/// <summary>
/// The gateway replays, for a short time, an answer a replica offers to shared caches (<c>s-maxage</c>: a "sold out" Redis
/// confirmed), so the flood after a sale ends stops at the front door; everything else is forwarded.
/// </summary>
public class SharedAnswerTests
{
    private const string SoldOutBody = """{"code":-1,"msg":"已售罄"}""";

    [Fact]
    public async Task AnAnswerOfferedToSharedCachesIsReplayedWithoutReachingAReplica()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = SoldOut("max-age=0, s-maxage=1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:30"));
        using var client = gateway.Start();

        var answers = new List<(HttpStatusCode Status, string Body, string? CacheControl, bool HasAge)>();
        for (var request = 0; request < 50; request++)
        {
            using var response = await client.GetAsync("/buy/skill");
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.CacheControl?.ToString(), response.Headers.Age is not null));
        }

        Assert.Equal(1, replica.Served);
        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.OK, SoldOutBody, "max-age=0, s-maxage=1"), (answer.Status, answer.Body, answer.CacheControl)));
        Assert.Equal(49, answers.Count(answer => answer.HasAge));
    }

    [Fact]
    public async Task AStoredAnswerIsForwardedAgainOnceItIsOlderThanTheMaximumAge()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = SoldOut("max-age=0, s-maxage=1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:00.200"));
        using var client = gateway.Start();

        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        var servedWhileFresh = replica.Served;
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();

        Assert.Equal((1, 2), (servedWhileFresh, replica.Served));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("max-age=60", true)]
    [InlineData("no-store, s-maxage=1", true)]
    [InlineData("private, s-maxage=1", true)]
    // Without a length the gateway would have to buffer an answer of unknown size to keep it.
    [InlineData("max-age=0, s-maxage=1", false)]
    public async Task AnswersNotOfferedToSharedCachesOrWithoutALengthAreAlwaysForwarded(string? cacheControl, bool withLength)
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = SoldOut(cacheControl, withLength);
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:30"));
        using var client = gateway.Start();

        for (var request = 0; request < 10; request++)
        {
            Assert.Equal(SoldOutBody, await client.GetStringAsync("/buy/skill"));
        }

        Assert.Equal(10, replica.Served);
    }

    [Fact]
    public async Task AClientAskingToBypassCachesAndAQueryAreForwarded()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = SoldOut("max-age=0, s-maxage=1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:30"));
        using var client = gateway.Start();

        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        using var noCache = new HttpRequestMessage(HttpMethod.Get, "/buy/skill");
        noCache.Headers.CacheControl = new() { NoCache = true };
        (await client.SendAsync(noCache)).EnsureSuccessStatusCode();
        (await client.GetAsync("/buy/skill?buyer=1")).EnsureSuccessStatusCode();

        Assert.Equal(3, replica.Served);
    }

    [Fact]
    public async Task ASuccessfulWriteForgetsStoredAnswersAndAFailedOneDoesNot()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = context => HttpMethods.IsPut(context.Request.Method)
            ? Status(context, context.Request.Headers.ContainsKey("X-Admin-Key") ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized)
            : SoldOut("max-age=0, s-maxage=1")(context);
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:30"));
        using var client = gateway.Start();

        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/sales/default", new StringContent("{}", Encoding.UTF8, "application/json"))).Dispose();
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        var servedAfterRefusedWrite = replica.Served;
        using var reset = new HttpRequestMessage(HttpMethod.Put, "/api/sales/default") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        reset.Headers.Add("X-Admin-Key", "key");
        (await client.SendAsync(reset)).EnsureSuccessStatusCode();
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();

        // GET stored, refused PUT, GET replayed (3 reached the replica: GET, PUT, ...); accepted PUT, GET forwarded again.
        Assert.Equal((2, 4), (servedAfterRefusedWrite, replica.Served));
    }

    [Fact]
    public async Task WithAMaximumAgeOfZeroEverythingIsForwarded()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = SoldOut("max-age=0, s-maxage=1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:00"));
        using var client = gateway.Start();

        for (var request = 0; request < 10; request++)
        {
            (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        }

        Assert.Equal(10, replica.Served);
    }

    private static Dictionary<string, string?> Settings(string maxAge) => new() { ["Gateway:MaxSharedAnswerAge"] = maxAge };

    private static Func<HttpContext, Task> SoldOut(string? cacheControl, bool withLength = true) => context =>
    {
        if (cacheControl is not null)
        {
            context.Response.Headers.CacheControl = cacheControl;
        }

        // As the replica answers: with a length, unless the test says otherwise.
        var body = Encoding.UTF8.GetBytes(SoldOutBody);
        context.Response.ContentType = "application/json; charset=utf-8";
        if (withLength)
        {
            context.Response.ContentLength = body.Length;
        }

        return context.Response.Body.WriteAsync(body).AsTask();
    };

    private static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
