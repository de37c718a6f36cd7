using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using SpikeApp.Testing;

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

        // The replica offered a second; less than a second remains by the time anyone downstream gets it.
        Assert.Equal(1, replica.Served);
        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.OK, SoldOutBody, "max-age=0, s-maxage=0"), (answer.Status, answer.Body, answer.CacheControl)));
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
    public async Task ARequestWithCredentialsIsNeitherAnsweredFromTheStoreNorStored()
    {
        // A replica that offered one buyer's answer to shared caches: the gateway must still not give it to another.
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = context =>
        {
            var body = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization is { Count: > 0 } authorization ? authorization.ToString() : "anonymous");
            context.Response.Headers.CacheControl = "max-age=0, s-maxage=1";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        };
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:30"));
        using var client = gateway.Start();

        var answers = new List<(string Body, bool HasAge)>();
        foreach (var buyer in new[] { "alice", "bob", null, "alice", null })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sales/default/buyers/me/order");
            request.Headers.Authorization = buyer is null ? null : TestBuyers.BearerFor(buyer);
            using var response = await client.SendAsync(request);
            answers.Add((await response.Content.ReadAsStringAsync(), response.Headers.Age is not null));
        }

        // Only the anonymous answer was stored, and only the second anonymous request was answered from the store.
        Assert.Equal(
            [($"Bearer {TestBuyers.TokenFor("alice")}", false), ($"Bearer {TestBuyers.TokenFor("bob")}", false), ("anonymous", false),
             ($"Bearer {TestBuyers.TokenFor("alice")}", false), ("anonymous", true)],
            answers);
        Assert.Equal(4, replica.Served);
    }

    [Fact]
    public async Task ASuccessfulWriteForgetsStoredAnswersAndAFailedOneDoesNot()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = context => HttpMethods.IsPost(context.Request.Method)
            ? Status(context, context.Request.Path.StartsWithSegments("/api/sales/closed") ? StatusCodes.Status409Conflict : StatusCodes.Status201Created)
            : SoldOut("max-age=0, s-maxage=1")(context);
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:30"));
        using var client = gateway.Start();

        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/sales/closed/purchases", Purchase())).Dispose();
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        var servedAfterRefusedWrite = replica.Served;
        (await client.PostAsync("/api/sales/default/purchases", Purchase())).EnsureSuccessStatusCode();
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();

        // GET stored, refused POST, GET replayed (2 reached the replica); accepted POST, GET forwarded again.
        Assert.Equal((2, 4), (servedAfterRefusedWrite, replica.Served));
    }

    [Fact]
    public async Task AGetForwardedBeforeAWriteAndAnsweredAfterItIsNotReplayed()
    {
        await using var replica = await Backend.StartAsync("api-1");
        var release = new TaskCompletionSource();
        var holdNextGet = 1;
        replica.Answer = async context =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status201Created;
                return;
            }

            // The replica read "sold out" before the write and answers only after it.
            if (Interlocked.Exchange(ref holdNextGet, 0) == 1)
            {
                await release.Task;
            }

            await SoldOut("max-age=0, s-maxage=1")(context);
        };
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:30"));
        using var client = gateway.Start();

        var beforeTheWrite = client.GetAsync("/buy/skill");
        await WaitUntilAsync(() => replica.Served == 1);
        (await client.PostAsync("/api/sales/default/purchases", Purchase())).EnsureSuccessStatusCode();
        release.SetResult();
        using var late = await beforeTheWrite;
        using var next = await client.GetAsync("/buy/skill");

        Assert.Equal(SoldOutBody, await late.Content.ReadAsStringAsync());
        Assert.Null(next.Headers.Age);
        Assert.Equal(3, replica.Served);
    }

    [Fact]
    public async Task AnAnswerThatTookItsTimeIsReplayedOnlyUntilTheMaximumAgeCountedFromItsRequest()
    {
        await using var replica = await Backend.StartAsync("api-1");
        var slowOnce = 1;
        replica.Answer = async context =>
        {
            if (Interlocked.Exchange(ref slowOnce, 0) == 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(400));
            }

            await SoldOut("max-age=0, s-maxage=1")(context);
        };
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:00.500"));
        using var client = gateway.Start();

        var sentAt = Stopwatch.GetTimestamp();
        using var slow = await client.GetAsync("/buy/skill");
        var pastTheMaximumAge = TimeSpan.FromMilliseconds(550) - Stopwatch.GetElapsedTime(sentAt);
        if (pastTheMaximumAge > TimeSpan.Zero)
        {
            await Task.Delay(pastTheMaximumAge);
        }

        using var next = await client.GetAsync("/buy/skill");

        // Fresh until 500 ms after the request left, not after the answer came: the next request reaches a replica.
        Assert.Equal("max-age=0, s-maxage=0", slow.Headers.CacheControl?.ToString());
        Assert.Null(next.Headers.Age);
        Assert.Equal(2, replica.Served);
    }

    [Fact]
    public async Task CaseVariantsOfAPathShareItsAnswerAndAFullStoreKeepsItsFreshAnswers()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = SoldOut("max-age=0, s-maxage=60");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:01:00"));
        using var client = gateway.Start();

        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        foreach (var variant in CaseVariants("/buy/skill"))
        {
            (await client.GetAsync(variant)).EnsureSuccessStatusCode();
        }

        var servedAfterVariants = replica.Served;
        // More resources than the store holds; none of them pushes out a fresh answer.
        for (var sale = 0; sale < SharedAnswers.SharedAnswerCache.MaxAnswers + 44; sale++)
        {
            (await client.GetAsync($"/api/sales/sale-{sale}")).EnsureSuccessStatusCode();
        }

        using var main = await client.GetAsync("/buy/skill");

        Assert.Equal(256, CaseVariants("/buy/skill").Distinct().Count());
        Assert.Equal(1, servedAfterVariants);
        Assert.NotNull(main.Headers.Age);
        Assert.Equal(1 + SharedAnswers.SharedAnswerCache.MaxAnswers + 44, replica.Served);
    }

    [Fact]
    public async Task AFullStoreMakesRoomFromAnswersPastTheirTime()
    {
        await using var replica = await Backend.StartAsync("api-1");
        replica.Answer = SoldOut("max-age=0, s-maxage=60");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], Settings(maxAge: "00:00:01"));
        using var client = gateway.Start();

        for (var sale = 0; sale < SharedAnswers.SharedAnswerCache.MaxAnswers; sale++)
        {
            (await client.GetAsync($"/api/sales/sale-{sale}")).EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        using var replayed = await client.GetAsync("/buy/skill");

        Assert.NotNull(replayed.Headers.Age);
        Assert.Equal(SharedAnswers.SharedAnswerCache.MaxAnswers + 1, replica.Served);
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

    private static StringContent Purchase() => new("""{"userId":"alice"}""", Encoding.UTF8, "application/json");

    /// <summary>Every spelling of <paramref name="path"/> in upper and lower case letters.</summary>
    private static IEnumerable<string> CaseVariants(string path)
    {
        var letters = path.Select((character, index) => (character, index)).Where(letter => char.IsLetter(letter.character)).Select(letter => letter.index).ToArray();
        for (var mask = 0; mask < 1 << letters.Length; mask++)
        {
            var variant = path.ToCharArray();
            for (var bit = 0; bit < letters.Length; bit++)
            {
                if ((mask & (1 << bit)) != 0)
                {
                    variant[letters[bit]] = char.ToUpperInvariant(variant[letters[bit]]);
                }
            }

            yield return new string(variant);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }

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
