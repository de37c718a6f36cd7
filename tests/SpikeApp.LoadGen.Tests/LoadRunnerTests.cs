using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using SpikeApp.Buyers;
using SpikeApp.Contracts.Orders;
using SpikeApp.LoadGen.Buyers;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Tests;

public class LoadRunnerTests
{
    private const string SaleId = "s1";

    [Fact]
    public async Task NeverMoreThanConcurrencyRequestsAreInFlight()
    {
        await using var run = await RunShopAsync();

        Assert.Equal(4, run.Shop.MaxInFlight);
    }

    [Fact]
    public async Task EveryAnswerIsCounted()
    {
        await using var run = await RunShopAsync();

        Assert.Equal(40, run.Result.Requests);
        Assert.Equal(StopReason.Count, run.Result.StoppedBy);
        // Buyer i mod 10: the first 5 buyers to arrive buy, each comes back 3 times to find their order; the rest find none left.
        Assert.Equal(new OutcomeCounts { [Outcome.Success] = 5, [Outcome.ExistingOrder] = 15, [Outcome.SoldOut] = 20 }, run.Result.Outcomes);
        Assert.Equal(40, run.Result.Latency.Count);
    }

    [Fact]
    public async Task EachOrderIsRecordedOnceUnderItsBuyer()
    {
        await using var run = await RunShopAsync();

        Assert.Equal(5, run.Orders.Buyers);
        Assert.Empty(run.Orders.Conflicts());
        Assert.All(run.Orders.Orders(), order => Assert.StartsWith("lg-t1-", order.UserId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhatARunRecordsPassesTheInvariantChecks()
    {
        await using var run = await RunShopAsync();
        var evidence = new RunEvidence(SaleId, LoadMode.Api, Shared: false, run.Result.Outcomes[Outcome.Success], run.Result.Outcomes.Uncertain,
            run.Orders, Runs.Sale(sold: 0, total: 5), Concurrency: 4);

        var invariants = InvariantChecker.Check(evidence, await new SaleReader(run.Api.Client).ReadBackAsync(evidence, StubBuyers.For(evidence), CancellationToken.None));

        Assert.Equal(0, invariants.ExitCode);
    }

    [Fact]
    public async Task ARequestBeyondTheTimeoutIsUnanswered()
    {
        await using var api = await StubApi.StartAsync(app => app.MapGet("/buy/skill", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return Results.Ok();
        }));
        var options = Options(requests: 2, concurrency: 2, users: null);
        options.Mode = LoadMode.Seed;
        options.Timeout = TimeSpan.FromMilliseconds(200);

        var result = await new LoadRunner(api.Client, options).RunAsync(LoadPhase.Run(options, "t2"), BuyerTokens.None, new RunCounters(), new OrderBook(), CancellationToken.None);

        Assert.Equal(2, result.Outcomes[Outcome.Unanswered]);
        Assert.Equal(2, result.Outcomes.Total);
        Assert.Equal(new Dictionary<string, long> { ["timeout"] = 2 }, result.Problems);
        Assert.Equal(0, result.Latency.Count);
    }

    [Fact]
    public async Task TheDurationStopsARunBeforeItsCount()
    {
        await using var api = await StubApi.StartAsync(app => app.MapGet("/buy/skill", async () =>
        {
            await Task.Delay(50);
            return Results.Text("""{"code":-1,"msg":"已售罄"}""", "application/json");
        }));
        var options = Options(requests: 1_000_000, concurrency: 2, users: null);
        options.Mode = LoadMode.Seed;
        options.Duration = TimeSpan.FromMilliseconds(300);

        var result = await new LoadRunner(api.Client, options).RunAsync(LoadPhase.Run(options, "t3"), BuyerTokens.None, new RunCounters(), new OrderBook(), CancellationToken.None);

        Assert.Equal(StopReason.Duration, result.StoppedBy);
        Assert.InRange(result.Requests, 2, 40);
        Assert.Equal(result.Requests, result.Outcomes[Outcome.SoldOut]);
    }

    [Fact]
    public async Task BuyersChosenToPayPayForTheirNewOrderAndTheOthersAbandonIt()
    {
        // 20 units for 10 buyers, each coming 4 times: everyone buys once; half the buyers are picked to pay.
        await using var run = await RunShopAsync(stock: 20, payRatio: 0.5);

        Assert.Equal(new OutcomeCounts { [Outcome.Success] = 10, [Outcome.ExistingOrder] = 30 }, run.Result.Outcomes);
        Assert.Equal(new PaymentCounts { [PaymentOutcome.Paid] = 8 }, run.Result.Payments?.Outcomes);
        Assert.Empty(run.Result.Payments!.Problems);
        Assert.Equal(
            ["paid", "paid", "paid", "paid", "paid", "pending", "paid", "paid", "pending", "paid"],
            Enumerable.Range(0, 10).Select(buyer => Assert.Single(run.Shop.StatusesByUser()[$"lg-t1-{buyer}"])));
        Assert.Equal(8, run.Orders.Payments(PaymentOutcome.Paid));
    }

    [Fact]
    public async Task APaymentPastItsWindowIsRefusedAsExpiredAndTheUnitSellsAgain()
    {
        // One at a time; an order expires one tick after it was made, so the payment right after it comes too late.
        var shop = new StubShop(SaleId, stock: 2, paymentWindow: 1);
        await using var api = await StubApi.StartAsync(shop.Map);
        var options = Options(requests: 5, concurrency: 1, users: null);
        options.PayRatio = 1;
        var orders = new OrderBook();

        var phase = LoadPhase.Run(options, "t6");

        var result = await new LoadRunner(api.Client, options).RunAsync(phase, StubBuyers.For(phase), new RunCounters(), orders, CancellationToken.None);

        Assert.Equal(new OutcomeCounts { [Outcome.Success] = 5 }, result.Outcomes);
        Assert.Equal(new PaymentCounts { [PaymentOutcome.Expired] = 5 }, result.Payments?.Outcomes);
        Assert.All(shop.Statuses().Values, status => Assert.Equal("expired", status));
        Assert.Equal(5, orders.Payments(PaymentOutcome.Expired));
    }

    [Theory]
    [InlineData(503, """{"type":"urn:spikeapp:problem:unavailable","status":503}""", PaymentOutcome.OtherError, "HTTP 503 urn:spikeapp:problem:unavailable")]
    [InlineData(409, """{"type":"urn:spikeapp:problem:order-voided","title":"Order voided","status":409}""", PaymentOutcome.Voided, null)]
    public async Task APaymentIsCountedByItsAnswerAndAnErrorWithItsDescription(int status, string body, PaymentOutcome outcome, string? description)
    {
        await using var api = await StubApi.StartAsync(app =>
        {
            app.MapPost("/api/sales/{saleId}/purchases", () => Results.Text("""{"orderId":"o-1"}""", "application/json", statusCode: 201));
            app.MapPost("/api/sales/{saleId}/orders/{orderId}/payment", () => Results.Text(body, "application/problem+json", statusCode: status));
        });
        var options = Options(requests: 3, concurrency: 1, users: null);
        options.PayRatio = 1;
        var orders = new OrderBook();

        var phase = LoadPhase.Run(options, "t7");

        var result = await new LoadRunner(api.Client, options).RunAsync(phase, StubBuyers.For(phase), new RunCounters(), orders, CancellationToken.None);

        Assert.Equal(new PaymentCounts { [outcome] = 3 }, result.Payments?.Outcomes);
        Assert.Equal(description is null ? [] : new Dictionary<string, long> { [description] = 3 }, result.Payments!.Problems);
        Assert.Equal(outcome, orders.PaymentOf("o-1"));
    }

    [Fact]
    public async Task EachBuyerBuysAndPaysWithTheirTokenAndAPurchaseCarriesNoBody()
    {
        // The shop refuses a request without a valid token, a purchase with a body and a payment naming its buyer.
        await using var run = await RunShopAsync(stock: 20, payRatio: 0.5);

        Assert.Empty(run.Shop.Refused);
        Assert.Equal(8, run.Result.Payments?.Outcomes[PaymentOutcome.Paid]);
        Assert.Equal(Enumerable.Range(0, 10).Select(buyer => $"lg-t1-{buyer}"), run.Shop.StatusesByUser().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TokensSignedWithAnotherKeyAreRefused()
    {
        var shop = new StubShop(SaleId, stock: 5);
        await using var api = await StubApi.StartAsync(shop.Map);
        var options = Options(requests: 4, concurrency: 2, users: null);
        var phase = LoadPhase.Run(options, "t8");
        var otherKey = new BuyerSigningKey(BuyerAuthentication.DevEntryName, BuyerAuthentication.DevIssuer, new SymmetricSecurityKey(new byte[BuyerSigningKey.MinKeyBytes]));
        var strangers = BuyerTokens.Mint(new BuyerTokenMinter(otherKey, BuyerAuthentication.DevAudience), phase.Buyers(), TimeSpan.FromMinutes(10));

        var result = await new LoadRunner(api.Client, options).RunAsync(phase, strangers, new RunCounters(), new OrderBook(), CancellationToken.None);

        Assert.Equal(new OutcomeCounts { [Outcome.OtherError] = 4 }, result.Outcomes);
        Assert.Equal(new Dictionary<string, long> { ["HTTP 401 urn:spikeapp:problem:unauthenticated"] = 4 }, result.Problems);
        Assert.Equal(new Dictionary<string, int> { ["purchase without a valid token"] = 4 }, shop.Refused);
    }

    [Fact]
    public async Task WithoutAPayRatioNobodyPaysAndThePhaseHasNoPayments()
    {
        await using var run = await RunShopAsync();

        Assert.Null(run.Result.Payments);
        Assert.All(run.Shop.Statuses().Values, status => Assert.Equal("pending", status));
    }

    [Fact]
    public async Task WhatAPayingRunRecordsPassesEveryInvariantCheck()
    {
        await using var run = await RunShopAsync(stock: 20, payRatio: 0.5);
        var evidence = new RunEvidence(SaleId, LoadMode.Api, Shared: false, run.Result.Outcomes[Outcome.Success], run.Result.Outcomes.Uncertain,
            run.Orders, Runs.Sale(sold: 0, total: 20), Concurrency: 4, PayRatio: 0.5,
            StoredBefore: new OrdersSummary(SaleId, 0, 0, 0, 0, 0));

        var readback = await new SaleReader(run.Api.Client, new StoredOrdersClient(run.Api.Client)).ReadBackAsync(evidence, StubBuyers.For(evidence), CancellationToken.None);
        var invariants = InvariantChecker.Check(evidence, readback);

        Assert.Equal(
            [
                (InvariantChecker.PaidMatchesSold, InvariantStatus.Passed, "Redis sold +10, 2 of them pending: 8 paid; payments acknowledged 8"),
                (InvariantChecker.OneLiveOrderPerBuyer, InvariantStatus.Passed, "10 buyers, none holding two pending or paid orders"),
                (InvariantChecker.PaidOrdersStored, InvariantStatus.Passed, "8 paid orders in PostgreSQL, each paid (summary paid 0 -> 8)"),
                (InvariantChecker.ExpiredStockResold, InvariantStatus.Skipped, "no order of this run expired"),
            ],
            invariants.Results.Skip(7).Select(result => (result.Name, result.Status, result.Detail)));
        Assert.Equal(0, invariants.ExitCode);
    }

    /// <summary>40 purchases by 10 buyers, 4 at a time, from a shop with 5 units (unless told otherwise).</summary>
    private static async Task<ShopRun> RunShopAsync(int stock = 5, double payRatio = 0)
    {
        var shop = new StubShop(SaleId, stock, delay: TimeSpan.FromMilliseconds(20));
        var api = await StubApi.StartAsync(shop.Map);
        var options = Options(requests: 40, concurrency: 4, users: 10);
        options.PayRatio = payRatio;
        var orders = new OrderBook();
        var phase = LoadPhase.Run(options, "t1");
        var result = await new LoadRunner(api.Client, options).RunAsync(phase, StubBuyers.For(phase), new RunCounters(), orders, CancellationToken.None);
        return new ShopRun(api, shop, result, orders);
    }

    private static LoadGenOptions Options(int requests, int concurrency, int? users) => new()
    {
        Url = new Uri("http://127.0.0.1/"),
        Requests = requests,
        Concurrency = concurrency,
        Users = users,
        Sale = SaleId,
    };

    private sealed record ShopRun(StubApi Api, StubShop Shop, PhaseResult Result, OrderBook Orders) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }
}
