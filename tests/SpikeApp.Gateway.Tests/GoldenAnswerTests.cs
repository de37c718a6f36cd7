using System.Text;
using Microsoft.AspNetCore.Http;
using SpikeApp.Testing;

namespace SpikeApp.Gateway.Tests;

/// <summary>
/// The answers the gateway writes itself, as text — status, contract headers, exact body — against <c>Golden/*.txt</c>
/// (see <see cref="GoldenFiles"/>; <c>SPIKE_UPDATE_GOLDEN=1</c> rewrites the files).
/// </summary>
public class GoldenAnswerTests
{
    [Fact]
    public async Task UnavailableAnswers()
    {
        await using var gateway = new GatewayHost([("dead", GatewayHost.RefusingAddress(), null)]);
        using var client = gateway.Start();

        await AssertGoldenAsync("gateway-unavailable", client.PostAsync("/api/sales/default/purchases", Purchase()));
        // The seed routes keep their contract: 200 and the seed's "busy" body.
        await AssertGoldenAsync("gateway-buy-skill-busy", client.GetAsync("/buy/skill"));
    }

    [Fact]
    public async Task OverloadedAnswer()
    {
        await using var slow = await Backend.StartAsync("slow");
        var release = new TaskCompletionSource();
        slow.Answer = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("late");
        };
        await using var gateway = new GatewayHost([("slow", slow.Address, null)], new Dictionary<string, string?> { ["Gateway:MaxConcurrentRequests"] = "1" });
        using var client = gateway.Start();
        var held = client.PostAsync("/api/sales/default/purchases", Purchase());
        while (slow.Served < 1)
        {
            await Task.Delay(20);
        }

        await AssertGoldenAsync("gateway-overloaded", client.PostAsync("/api/sales/default/purchases", Purchase()));
        release.SetResult();
        (await held).Dispose();
    }

    [Fact]
    public async Task ReplayedSoldOutAnswer()
    {
        await using var replica = await Backend.StartAsync("api-1");
        // As a replica answers a "sold out" Redis confirmed (BuyApi).
        replica.Answer = context =>
        {
            var body = Encoding.UTF8.GetBytes("""{"code":-1,"msg":"已售罄"}""");
            context.Response.Headers.CacheControl = "max-age=0, s-maxage=1";
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        };
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)], new Dictionary<string, string?> { ["Gateway:MaxSharedAnswerAge"] = "00:00:30" });
        using var client = gateway.Start();
        (await client.GetAsync("/buy/skill")).Dispose();

        await AssertGoldenAsync("gateway-replayed-sold-out", client.GetAsync("/buy/skill"));
        Assert.Equal(1, replica.Served);
    }

    [Fact]
    public async Task NotFoundAnswer()
    {
        await using var replica = await Backend.StartAsync("api-1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();

        // The admin PUT is not a public route.
        await AssertGoldenAsync("gateway-not-found", client.PutAsync("/api/sales/default", new StringContent("""{"total":10}""", Encoding.UTF8, "application/json")));
        Assert.Equal(0, replica.Served);
    }

    [Fact]
    public async Task BodyTooLargeAnswer()
    {
        await using var replica = await Backend.StartAsync("api-1");
        await using var gateway = new GatewayHost([("api-1", replica.Address, null)]);
        using var client = gateway.Start();

        await AssertGoldenAsync("gateway-body-too-large", client.PostAsync("/api/sales/default/purchases",
            new StringContent($$"""{"userId":"{{new string('x', 100 * 1024)}}"}""", Encoding.UTF8, "application/json")));
    }

    private static StringContent Purchase() => new("""{"userId":"alice"}""", Encoding.UTF8, "application/json");

    private static async Task AssertGoldenAsync(string golden, Task<HttpResponseMessage> answer)
    {
        using var response = await answer;
        await GoldenFiles.AssertMatchesAsync(golden, response);
    }
}
