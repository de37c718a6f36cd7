using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace SpikeApp.Gateway.Tests;

public class FailureTests
{
    [Fact]
    public async Task ARequestThatCannotConnectIsSentToAnotherReplicaAndTheDeadOneIsTakenOut()
    {
        await using var alive = await Backend.StartAsync("alive");
        await using var gateway = new GatewayHost([("dead", GatewayHost.RefusingAddress(), null), ("alive", alive.Address, null)]);
        using var client = gateway.Start();

        var statuses = new List<HttpStatusCode>();
        for (var request = 0; request < 20; request++)
        {
            statuses.Add((await client.PostAsync("/api/sales/default/purchases", new StringContent("""{"userId":"u"}"""))).StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(20, alive.Served);
        var dead = Destination(gateway, "dead");
        Assert.Equal(DestinationHealth.Unhealthy, dead.Health.Passive);
    }

    [Fact]
    public async Task AReplicaFailingOneProbeGetsNoRequestsAndOneGoodProbeBringsItBack()
    {
        await using var sick = await Backend.StartAsync("sick");
        await using var well = await Backend.StartAsync("well");
        sick.Healthy = false;
        await using var gateway = new GatewayHost([("sick", sick.Address, null), ("well", well.Address, null)], new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:api:HealthCheck:Active:Enabled"] = "true",
            ["ReverseProxy:Clusters:api:HealthCheck:Active:Interval"] = "00:00:00.100",
        });
        using var client = gateway.Start();

        await WaitForAvailableAsync(gateway, 1);
        var whileSick = await CountAsync(client, requests: 10, sick, well);
        sick.Healthy = true;
        await WaitForAvailableAsync(gateway, 2);
        var afterRecovery = await CountAsync(client, requests: 10, sick, well);

        Assert.Equal((0, 10), whileSick);
        Assert.Equal((5, 5), afterRecovery);
    }

    private static async Task<(int Sick, int Well)> CountAsync(HttpClient client, int requests, Backend sick, Backend well)
    {
        var (sickBefore, wellBefore) = (sick.Served, well.Served);
        for (var request = 0; request < requests; request++)
        {
            (await client.GetAsync("/buy/skill")).EnsureSuccessStatusCode();
        }

        return (sick.Served - sickBefore, well.Served - wellBefore);
    }

    /// <summary>Waits until the gateway's own view (the proxy state its balancer reads) has that many replicas available.</summary>
    private static async Task WaitForAvailableAsync(GatewayHost gateway, int available)
    {
        var proxyState = gateway.Services.GetRequiredService<IProxyStateLookup>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!proxyState.TryGetCluster("api", out var cluster) || cluster.DestinationsState.AvailableDestinations.Count != available)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The gateway did not have {available} replicas available within 10 s.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task WithNoReplicaToTakeItAPurchaseGets503WithRetryAfterAndAProblem()
    {
        await using var gateway = new GatewayHost([("dead-1", GatewayHost.RefusingAddress(), null), ("dead-2", GatewayHost.RefusingAddress(), null)]);
        using var client = gateway.Start();

        foreach (var attempt in Enumerable.Range(0, 3))
        {
            using var response = await client.PostAsync("/api/sales/default/purchases", new StringContent("""{"userId":"u"}"""));
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("urn:spikeapp:problem:unavailable", problem.RootElement.GetProperty("type").GetString());
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task WithNoReplicaTheSeedRouteStillAnswers200Busy()
    {
        await using var gateway = new GatewayHost([("dead", GatewayHost.RefusingAddress(), null)]);
        using var client = gateway.Start();

        using var response = await client.GetAsync("/buy/skill");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"code":-1,"msg":"系统繁忙，请稍后再试"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task AReplicaThatDiesMidRequestCostsThatRequestA503NotA502()
    {
        await using var dying = await Backend.StartAsync("dying");
        dying.Answer = context =>
        {
            context.Abort();
            return Task.CompletedTask;
        };
        await using var gateway = new GatewayHost([("dying", dying.Address, null)]);
        using var client = gateway.Start();

        using var response = await client.PostAsync("/api/sales/default/purchases", new StringContent("""{"userId":"u"}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal(1, dying.Served);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task AReplicasOwnRefusalPassesThroughWithItsRetryAfter(HttpStatusCode status)
    {
        await using var busy = await Backend.StartAsync("busy");
        busy.Answer = context =>
        {
            context.Response.StatusCode = (int)status;
            context.Response.Headers.RetryAfter = "1";
            context.Response.ContentType = "application/problem+json";
            return context.Response.WriteAsync("""{"type":"urn:spikeapp:problem:replica"}""");
        };
        await using var gateway = new GatewayHost([("busy", busy.Address, null)]);
        using var client = gateway.Start();

        using var response = await client.PostAsync("/api/sales/default/purchases", new StringContent("""{"userId":"u"}"""));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("""{"type":"urn:spikeapp:problem:replica"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BeyondItsLimitTheGatewayAnswers429AtOnce()
    {
        await using var slow = await Backend.StartAsync("slow");
        var release = new TaskCompletionSource();
        slow.Answer = async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("late");
        };
        await using var gateway = new GatewayHost([("slow", slow.Address, null)],
            new Dictionary<string, string?> { ["Gateway:MaxConcurrentRequests"] = "2" });
        using var client = gateway.Start();

        var held = Enumerable.Range(0, 2).Select(_ => client.GetAsync("/api/sales/default")).ToList();
        while (slow.Served < 2)
        {
            await Task.Delay(20);
        }

        using var refused = await client.GetAsync("/api/sales/default");
        release.SetResult();
        var answers = await Task.WhenAll(held);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
    }

    private static DestinationState Destination(GatewayHost gateway, string id)
    {
        Assert.True(gateway.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster("api", out var cluster));
        var all = cluster.DestinationsState.AllDestinations;
        // Service discovery names a resolved destination "id[host:port]".
        return all.SingleOrDefault(destination => destination.DestinationId.StartsWith(id + "[", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No destination '{id}' among {string.Join(", ", all.Select(d => d.DestinationId + "=" + d.Model.Config.Address))}");
    }
}
