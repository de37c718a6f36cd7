using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SpikeApp.Gateway.Tests;

public class WarmupTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HealthIsUnhealthyUntilTheWarmupWasForwardedToAReplicaAndHealthyAfter()
    {
        await using var replica = await Backend.StartAsync("replica");
        await using var gateway = new GatewayHost([("replica", replica.Address, null)], Warmup(requests: 30));
        using var client = gateway.Start();
        using var admin = gateway.CreateAdminClient();

        var first = await admin.GetAsync("/health");
        await WaitHealthyAsync(admin);
        var warmed = await WarmupEntryAsync(gateway);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HealthStatus.Healthy, warmed.Status);
        Assert.StartsWith("Warmed up: 30 requests forwarded", warmed.Description, StringComparison.Ordinal);
        // Every warm-up request reached the replica, and none named a sale it could hold.
        Assert.Equal(30, replica.Served);
    }

    [Fact]
    public async Task WithNoReplicaToForwardToTheGatewayStaysUnreadyAndSaysWhy()
    {
        await using var gateway = new GatewayHost([("dead", GatewayHost.RefusingAddress(), null)], Warmup(requests: 30));
        using var client = gateway.Start();
        using var admin = gateway.CreateAdminClient();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var health = await admin.GetAsync("/health");
        var warmup = await WarmupEntryAsync(gateway);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HealthStatus.Unhealthy, warmup.Status);
        Assert.Matches("^(Warm-up attempt 1 failed|Not warmed up yet: waiting for a replica)", warmup.Description);
    }

    private static Dictionary<string, string?> Warmup(int requests) => new()
    {
        ["Gateway:Warmup:Enabled"] = "true",
        ["Gateway:Warmup:Requests"] = requests.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<HealthReportEntry> WarmupEntryAsync(GatewayHost gateway) =>
        (await gateway.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Name == "warmup")).Entries["warmup"];

    private static async Task WaitHealthyAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while ((await client.GetAsync("/health", timeout.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
