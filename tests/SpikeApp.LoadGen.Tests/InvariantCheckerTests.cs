using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SpikeApp.LoadGen.Invariants;

namespace SpikeApp.LoadGen.Tests;

public class InvariantCheckerTests
{
    private const string SaleId = "s1";
    private static readonly SaleSnapshot Before = new(SaleId, Total: 10, Sold: 0, Remaining: 10, SoldOut: false, Epoch: 1);

    [Fact]
    public async Task AConsistentSalePasses()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 3), Orders(("o1", "u1"), ("o2", "u2"), ("o3", "u3")));

        var report = await CheckAsync(api, Evidence(successes: 3, ("u1", "o1"), ("u2", "o2"), ("u3", "o3")));

        Assert.Equal(0, report.ExitCode);
        Assert.All(report.Results, result => Assert.Equal(InvariantStatus.Passed, result.Status));
        Assert.Equal(
            [
                InvariantChecker.SaleReadable, InvariantChecker.SoldWithinTotal, InvariantChecker.SuccessesWithinTotal,
                InvariantChecker.SoldMatchesSuccesses, InvariantChecker.OneOrderPerUser, InvariantChecker.OrdersBelongToBuyers,
            ],
            report.Results.Select(result => result.Name));
        Assert.Equal("Redis sold 0 -> 3 (+3), successes seen 3", Result(report, InvariantChecker.SoldMatchesSuccesses).Detail);
        Assert.Equal("3 orders fetched, each its buyer's", Result(report, InvariantChecker.OrdersBelongToBuyers).Detail);
        Assert.Equal(3, report.SaleAfter?.Sold);
    }

    [Fact]
    public async Task AnOversoldSaleFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 11), Orders());

        var report = await CheckAsync(api, Evidence(successes: 11) with { Mode = LoadMode.Seed });

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(
            [InvariantStatus.Passed, InvariantStatus.Failed, InvariantStatus.Failed, InvariantStatus.Passed, InvariantStatus.Skipped, InvariantStatus.Skipped],
            report.Results.Select(result => result.Status));
        Assert.Equal("Redis sold 11 of 10", Result(report, InvariantChecker.SoldWithinTotal).Detail);
        Assert.Equal("11 successes seen, total 10", Result(report, InvariantChecker.SuccessesWithinTotal).Detail);
    }

    [Fact]
    public async Task MoreSuccessesThanTheTotalFailEvenWhenRedisStaysWithinIt()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 10), Orders());

        var report = await CheckAsync(api, Evidence(successes: 12) with { Mode = LoadMode.Seed });

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(InvariantStatus.Passed, Result(report, InvariantChecker.SoldWithinTotal).Status);
        Assert.Equal(InvariantStatus.Failed, Result(report, InvariantChecker.SuccessesWithinTotal).Status);
        Assert.Equal(InvariantStatus.Failed, Result(report, InvariantChecker.SoldMatchesSuccesses).Status);
        Assert.Equal("Redis sold 0 -> 10 (+10), successes seen 12: 2 buyers were told they bought a unit Redis did not count",
            Result(report, InvariantChecker.SoldMatchesSuccesses).Detail);
    }

    [Fact]
    public async Task AUserHoldingTwoOrderIdsFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 3), Orders(("o1", "u1"), ("o2", "u1"), ("o3", "u2")));

        var report = await CheckAsync(api, Evidence(successes: 3, ("u1", "o1"), ("u1", "o2"), ("u2", "o3"), ("u1", "o1")));

        Assert.Equal(1, report.ExitCode);
        var failed = Assert.Single(report.Results, result => result.Status == InvariantStatus.Failed);
        Assert.Equal(InvariantChecker.OneOrderPerUser, failed.Name);
        Assert.Equal("1 buyers hold more than one order id: u1 (o1, o2)", failed.Detail);
    }

    [Fact]
    public async Task AnOrderNotFetchableAsItsBuyersFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 3), Orders(("o1", "u1"), ("o2", "someone-else")));

        var report = await CheckAsync(api, Evidence(successes: 3, ("u1", "o1"), ("u2", "o2"), ("u3", "o3")));

        Assert.Equal(1, report.ExitCode);
        var failed = Assert.Single(report.Results, result => result.Status == InvariantStatus.Failed);
        Assert.Equal(InvariantChecker.OrdersBelongToBuyers, failed.Name);
        Assert.Equal("2 of 3 orders failed: order o2 belongs to someone-else, not u2; order o3 of u3: GET answered 404", failed.Detail);
    }

    [Fact]
    public async Task SalesHiddenBehindUnansweredRequestsPassOnlyUpToTheirNumber()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 5), Orders());

        var within = await CheckAsync(api, Evidence(successes: 3) with { Mode = LoadMode.Seed, Uncertain = 2 });
        var beyond = await CheckAsync(api, Evidence(successes: 3) with { Mode = LoadMode.Seed, Uncertain = 1 });

        Assert.Equal(0, within.ExitCode);
        Assert.Equal("Redis sold 0 -> 5 (+5), successes seen 3: the 2 unseen are within the 2 requests answered 503 or not at all",
            Result(within, InvariantChecker.SoldMatchesSuccesses).Detail);
        Assert.Equal(1, beyond.ExitCode);
        Assert.Equal("Redis sold 0 -> 5 (+5), successes seen 3: 2 sales no buyer was told of (1 requests answered 503 or not at all)",
            Result(beyond, InvariantChecker.SoldMatchesSuccesses).Detail);
    }

    [Fact]
    public async Task ASharedSaleSkipsOnlyTheSoldCountCheck()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 9), Orders(("o1", "u1")));

        var report = await CheckAsync(api, Evidence(successes: 1, ("u1", "o1")) with { Shared = true });

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(InvariantStatus.Skipped, Result(report, InvariantChecker.SoldMatchesSuccesses).Status);
        Assert.Single(report.Results, result => result.Status == InvariantStatus.Skipped);
    }

    [Fact]
    public async Task AResetDuringTheRunFailsTheSoldCount()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 0, epoch: 2), Orders());

        var report = await CheckAsync(api, Evidence(successes: 0) with { Mode = LoadMode.Seed });

        Assert.Equal(1, report.ExitCode);
        Assert.Equal("the sale was reset during the run (epoch 1 -> 2); pass --shared if that was intended",
            Result(report, InvariantChecker.SoldMatchesSuccesses).Detail);
    }

    [Fact]
    public async Task AnUnreadableSaleFails()
    {
        await using var api = await StartAsync(saleJson: null, Orders());

        var report = await CheckAsync(api, Evidence(successes: 0));

        Assert.Equal(1, report.ExitCode);
        Assert.Null(report.SaleAfter);
        Assert.Equal(new InvariantResult(InvariantChecker.SaleReadable, InvariantStatus.Failed, "GET /api/sales/s1 answered 404."), report.Results[0]);
        Assert.Equal(
            [InvariantStatus.Failed, InvariantStatus.Skipped, InvariantStatus.Skipped, InvariantStatus.Skipped, InvariantStatus.Passed, InvariantStatus.Passed],
            report.Results.Select(result => result.Status));
    }

    private static string Sale(long total, long sold, long epoch = 1) =>
        JsonSerializer.Serialize(new
        {
            saleId = SaleId, total, sold, remaining = Math.Max(0, total - sold), soldOut = sold >= total, epoch,
            soldByReplica = new Dictionary<string, long> { ["r1"] = sold },
            replica = new { id = "r1", slice = total, sliceRemaining = 0, soldHere = sold, soldOutKnown = false },
        });

    private static Dictionary<string, string> Orders(params (string OrderId, string UserId)[] orders) =>
        orders.ToDictionary(order => order.OrderId, order => order.UserId);

    private static RunEvidence Evidence(long successes, params (string UserId, string OrderId)[] orders)
    {
        var book = new OrderBook();
        foreach (var (userId, orderId) in orders)
        {
            book.Record(userId, orderId);
        }

        return new RunEvidence(SaleId, LoadMode.Api, Shared: false, successes, Uncertain: 0, book, Before, Concurrency: 4);
    }

    private static InvariantResult Result(InvariantReport report, string name) => Assert.Single(report.Results, result => result.Name == name);

    private static async Task<InvariantReport> CheckAsync(StubApi api, RunEvidence evidence)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await new InvariantChecker(api.Client).CheckAsync(evidence, timeout.Token);
    }

    /// <summary>Serves the crafted sale (404 when null) and orders the way the API does.</summary>
    private static Task<StubApi> StartAsync(string? saleJson, Dictionary<string, string> userByOrder) => StubApi.StartAsync(app =>
    {
        app.MapGet("/api/sales/{saleId}", (string saleId) => saleId == SaleId && saleJson is not null
            ? Results.Text(saleJson, "application/json")
            : Results.NotFound());
        app.MapGet("/api/sales/{saleId}/orders/{orderId}", (string saleId, string orderId) => userByOrder.TryGetValue(orderId, out var userId)
            ? Results.Text($$"""{"orderId":"{{orderId}}","saleId":"{{saleId}}","userId":"{{userId}}","replicaId":"r1","createdAt":"2026-11-27T18:43:44.123+00:00"}""", "application/json")
            : Results.NotFound());
    });
}
