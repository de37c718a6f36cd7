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
        // Rounds of 10 requests: three, then more while the JIT still compiled.
        var done = System.Text.RegularExpressions.Regex.Match(warmed.Description!, @"^Warmed up: (\d+) requests forwarded in (\d+) rounds");
        Assert.True(done.Success, warmed.Description);
        var rounds = int.Parse(done.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(rounds, Microsoft.Extensions.Hosting.WarmupRounds.MinRounds, Microsoft.Extensions.Hosting.WarmupRounds.MaxRounds);
        Assert.Equal(10 * rounds, int.Parse(done.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        // Every warm-up request reached the replica, and none named a sale it could hold.
        Assert.Equal(10 * rounds, replica.Served);
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
