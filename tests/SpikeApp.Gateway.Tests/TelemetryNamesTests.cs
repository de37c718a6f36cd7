using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SpikeApp.Testing;

namespace SpikeApp.Gateway.Tests;

public class TelemetryNamesTests
{
    /// <summary>
    /// The gateway's own instruments while it resends, replays a stored answer and refuses (overloaded, unavailable),
    /// against <c>Golden/telemetry-names.txt</c>. It has no ActivitySource of its own: its spans are ASP.NET Core's.
    /// </summary>
    [Fact]
    public async Task SpansAndInstrumentsKeepTheirNames()
    {
        await using var replica = await Backend.StartAsync("api-1");
        var release = new TaskCompletionSource();
        replica.Answer = context => context.Request.Path.Value switch
        {
            "/buy/skill" => SoldOutAsync(context),
            "/api/sales/slow/purchases" => SlowAsync(context, release.Task),
            "/api/sales/dying/purchases" => DieAsync(context),
            _ => context.Response.WriteAsync("ok"),
        };
        await using var gateway = new GatewayHost([("dead", GatewayHost.RefusingAddress(), null), ("api-1", replica.Address, null)],
            new Dictionary<string, string?> { ["Gateway:MaxConcurrentRequests"] = "1", ["Gateway:MaxSharedAnswerAge"] = "00:00:30" });
        using var client = gateway.Start();
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        using var names = new TelemetryNames(instrumentFilter: instrument => instrument.Meter.Scope == meters);

        // Round robin sends one of the two to the dead replica first: resent.
        (await client.PostAsync("/api/sales/default/purchases", Purchase())).Dispose();
        (await client.PostAsync("/api/sales/default/purchases", Purchase())).Dispose();
        // Stored, then replayed.
        (await client.GetAsync("/buy/skill")).Dispose();
        (await client.GetAsync("/buy/skill")).Dispose();
        // The only request allowed in flight is held: the next is refused, overloaded.
        var served = replica.Served;
        var held = client.PostAsync("/api/sales/slow/purchases", Purchase());
        while (replica.Served == served)
        {
            await Task.Delay(20);
        }

        (await client.PostAsync("/api/sales/default/purchases", Purchase())).Dispose();
        release.SetResult();
        (await held).Dispose();
        // The replica dies mid-request: refused, unavailable.
        (await client.PostAsync("/api/sales/dying/purchases", Purchase())).Dispose();

        GoldenFiles.AssertMatches("telemetry-names", names.Describe());
    }

    private static StringContent Purchase() => new("""{"userId":"alice"}""", Encoding.UTF8, "application/json");

    private static Task SoldOutAsync(HttpContext context)
    {
        var body = Encoding.UTF8.GetBytes("""{"code":-1,"msg":"已售罄"}""");
        context.Response.Headers.CacheControl = "max-age=0, s-maxage=1";
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static async Task SlowAsync(HttpContext context, Task release)
    {
        await release;
        await context.Response.WriteAsync("late");
    }

    private static Task DieAsync(HttpContext context)
    {
        context.Abort();
        return Task.CompletedTask;
    }
}
