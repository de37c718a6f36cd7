using System.Diagnostics;
using System.Text.Json;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.Testing;

namespace SpikeApp.LoadGen.Tests;

/// <summary>--wait-open and --at against a stub sale on a real Kestrel server, whose clock may be off this machine's.</summary>
public class StampedeTests
{
    private const string SaleId = "s1";

    [Fact]
    public async Task WaitOpenWaitsForTheSalesOpeningOnTheServersClockThenSellsOut()
    {
        // The shop's clock is 5 s behind: a buyer going by this machine's clock would come 5 s early and be turned away.
        var shop = new StubShop(SaleId, stock: 3, opening: new StubOpening(OpensIn: TimeSpan.FromSeconds(1.5), ClockSkew: TimeSpan.FromSeconds(-5)));
        var started = Stopwatch.GetTimestamp();

        var run = await RunAsync(shop, options => options.WaitOpen = true);

        Assert.Equal(0, run.ExitCode);
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(30));
        // Exactly the connections' requests came before the opening, each answered "not open"; no purchase did.
        Assert.Equal(4, shop.NotOpenAnswers);
        Assert.Equal(3, shop.CreatedAt().Count);
        Assert.All(shop.CreatedAt(), createdAt => Assert.True(createdAt >= shop.OpensAt, $"{createdAt:O} is before {shop.OpensAt:O}"));
        Assert.Contains($"Opening at ", run.Output, StringComparison.Ordinal);
        Assert.Contains("  connected before it     4 of 4 connections", run.Output, StringComparison.Ordinal);
        Assert.Contains($"  PASS  {InvariantChecker.NoSaleBeforeOpening,-35} 3 orders, none created before {shop.OpensAt:O}", run.Output, StringComparison.Ordinal);
        Assert.Contains($"  PASS  {InvariantChecker.NoneTurnedAwayAfterOpening,-35} no \"not open\" to a request sent", run.Output, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(run.Json);
        var opening = json.RootElement.GetProperty("opening");
        Assert.Equal(("Sale", 4, 4, 0), (opening.GetProperty("source").GetString(), opening.GetProperty("connected").GetInt32(),
            opening.GetProperty("connections").GetInt32(), opening.GetProperty("notOpenAfterOpening").GetInt32()));
        Assert.InRange(opening.GetProperty("clockOffsetMs").GetDouble(), -5_100, -4_900);
        Assert.InRange(opening.GetProperty("firstSaleSeconds").GetDouble(), 0, 5);
        Assert.InRange(opening.GetProperty("soldOutSeconds").GetDouble(), opening.GetProperty("firstSaleSeconds").GetDouble(), 5);
        Assert.Equal("r1", Assert.Single(opening.GetProperty("replicas").EnumerateArray()).GetProperty("replicaId").GetString());
        Assert.Equal(0, opening.GetProperty("replicaSpreadMs").GetDouble());
        Assert.Equal(12, json.RootElement.GetProperty("run").GetProperty("outcomes").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task AnAtAlreadyPastSendsAsSoonAsTheBuyersAreConnectedAndSaysSo()
    {
        var shop = new StubShop(SaleId, stock: 3);

        var run = await RunAsync(shop, options => options.At = DateTimeOffset.UtcNow.AddSeconds(-10));

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"Opening at \S+ on this clock \(--at\) passed \d+\.\d{3} s ago: the buyers send as soon as they are connected\.", run.Output);
        Assert.Contains($"  SKIP  {InvariantChecker.NoSaleBeforeOpening,-35} the sale reports no opensAt to hold its orders against", run.Output, StringComparison.Ordinal);
        Assert.Equal(3, shop.Statuses().Count);
    }

    [Fact]
    public async Task WaitOpenOnASaleWithoutAnOpeningExitsWithTwoBeforeBuying()
    {
        var shop = new StubShop(SaleId, stock: 3);

        var run = await RunAsync(shop, options => options.WaitOpen = true);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"--wait-open: GET /api/sales/{SaleId} has no opensAt and serverTime: this API does not schedule openings.", run.Output, StringComparison.Ordinal);
        Assert.Empty(shop.Statuses());
    }

    /// <summary>12 buyers, 4 at a time, for the shop's 3 units.</summary>
    private static async Task<StampedeRun> RunAsync(StubShop shop, Action<LoadGenOptions> configure)
    {
        await using var api = await StubApi.StartAsync(shop.Map);
        var json = Path.Combine(Path.GetTempPath(), $"spikeapp-stampede-{Guid.NewGuid():N}.json");
        var options = new LoadGenOptions { Url = api.Client.BaseAddress, Sale = SaleId, Requests = 12, Concurrency = 4, JsonPath = json };
        configure(options);
        using var output = new StringWriter();
        try
        {
            var exitCode = await new LoadTest(options, new LoadRunner(api.Client, options), new SaleReader(api.Client), TestBuyers.Minter)
                .RunAsync(output, CancellationToken.None);
            return new StampedeRun(exitCode, output.ToString(), File.Exists(json) ? await File.ReadAllTextAsync(json) : "");
        }
        finally
        {
            File.Delete(json);
        }
    }

    private sealed record StampedeRun(int ExitCode, string Output, string Json);
}
