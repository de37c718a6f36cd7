using SpikeApp.Contracts.Orders;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Outcomes;
using static SpikeApp.LoadGen.Tests.Runs;

namespace SpikeApp.LoadGen.Tests;

/// <summary>The checks alone, over a readback made up in memory: the branches a stub API would have to be staged for.</summary>
public class InvariantCheckerTests
{
    private static readonly DateTimeOffset Opening = new(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ThePaymentChecksRunOnlyWhenBuyersPaid()
    {
        var readback = new RunReadback(Sale(sold: 1), null, [Order("o1", "u1")]);

        var unpaid = InvariantChecker.Check(Evidence(successes: 1, ("u1", "o1")), readback);
        var paying = InvariantChecker.Check(Evidence(successes: 1, ("u1", "o1")) with { PayRatio = 0.5 }, readback);

        string[] always =
        [
            InvariantChecker.SaleReadable, InvariantChecker.SoldWithinTotal, InvariantChecker.SuccessesWithinTotal,
            InvariantChecker.SoldMatchesSuccesses, InvariantChecker.OneOrderPerUser, InvariantChecker.OrdersBelongToBuyers,
            InvariantChecker.OrdersHiddenFromOthers,
        ];
        Assert.Equal(always, unpaid.Results.Select(result => result.Name));
        Assert.Equal(
            [.. always, InvariantChecker.PaidMatchesSold, InvariantChecker.OneLiveOrderPerBuyer, InvariantChecker.PaidOrdersStored, InvariantChecker.ExpiredStockResold],
            paying.Results.Select(result => result.Name));
    }

    [Fact]
    public void AnUnreadableSaleFailsItsReadAndSkipsTheChecksThatNeedIt()
    {
        var report = InvariantChecker.Check(Evidence(successes: 0), new RunReadback(null, "GET /api/sales/s1 answered 503.", []));

        Assert.Equal(
            [
                new(InvariantChecker.SaleReadable, InvariantStatus.Failed, "GET /api/sales/s1 answered 503."),
                new(InvariantChecker.SoldWithinTotal, InvariantStatus.Skipped, "the sale could not be read"),
                new(InvariantChecker.SuccessesWithinTotal, InvariantStatus.Skipped, "the sale could not be read"),
                new InvariantResult(InvariantChecker.SoldMatchesSuccesses, InvariantStatus.Skipped, "the sale could not be read"),
            ],
            report.Results.Take(4));
        Assert.Equal(
            new InvariantResult(InvariantChecker.ExpiredStockResold, InvariantStatus.Skipped, "the sale could not be read"),
            InvariantChecker.CheckExpiredStockResold(Evidence(successes: 1) with { LastSoldOut = Opening.AddHours(1) }, null, [Order("o1", "u1", OrderStatus.Expired)]));
        Assert.Equal("no sale", InvariantChecker.Check(Evidence(successes: 0), new RunReadback(null, null, [])).Results[0].Detail);
    }

    [Fact]
    public void SeedModeSkipsTheOrderChecks()
    {
        var run = Evidence(successes: 1) with { Mode = LoadMode.Seed };

        Assert.Equal(
            [
                new(InvariantChecker.OneOrderPerUser, InvariantStatus.Skipped, "seed mode: the API returns no order ids"),
                new(InvariantChecker.OrdersBelongToBuyers, InvariantStatus.Skipped, "seed mode: the API returns no order ids"),
                new InvariantResult(InvariantChecker.OrdersHiddenFromOthers, InvariantStatus.Skipped, "seed mode: the API returns no order ids"),
            ],
            [InvariantChecker.CheckOneOrderPerUser(run, []), InvariantChecker.CheckOrdersBelongToBuyers(run, []), InvariantChecker.CheckOrdersHiddenFromOthers(run, null)]);
    }

    [Fact]
    public void AForeignReadThatGotNoAnswerFails()
    {
        var foreign = new ForeignOrderRead("u2", new OrderHeld("u1", "o1"), StatusCode: null, ProblemType: null, Failure: "failed: Connection refused (127.0.0.1:1)");

        Assert.Equal(
            new InvariantResult(InvariantChecker.OrdersHiddenFromOthers, InvariantStatus.Failed, "u2's token on order o1 of u1: GET failed: Connection refused (127.0.0.1:1)"),
            InvariantChecker.CheckOrdersHiddenFromOthers(Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")), foreign));
    }

    [Fact]
    public void WithoutASaleReadBeforeTheRunTheSoldCountsHaveNoBaseline()
    {
        var run = Evidence(successes: 1, ("u1", "o1")) with { SaleBefore = null };

        Assert.Equal(
            new InvariantResult(InvariantChecker.SoldMatchesSuccesses, InvariantStatus.Failed,
                "the sale could not be read before the run, so its sold count has no baseline"),
            InvariantChecker.CheckSoldMatchesSuccesses(run, Sale(sold: 1), [Order("o1", "u1")]));
        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidMatchesSold, InvariantStatus.Skipped, "no sold count for this run (see \"sold == successes seen\")"),
            InvariantChecker.CheckPaidMatchesSold(run, Sale(sold: 1), [Order("o1", "u1")]));
    }

    [Fact]
    public void ASharedSaleComparesNoCountWithThisRuns()
    {
        var run = Evidence(successes: 1, ("u1", "o1")) with { Shared = true };
        FetchedOrder[] orders = [Order("o1", "u1", OrderStatus.Paid)];

        Assert.Equal(
            [
                new(InvariantChecker.SoldMatchesSuccesses, InvariantStatus.Skipped, "--shared: other clients buy from this sale too"),
                new(InvariantChecker.PaidMatchesSold, InvariantStatus.Skipped, "--shared: other clients' orders are in Redis' sold count too"),
                new InvariantResult(InvariantChecker.PaidOrdersStored, InvariantStatus.Passed,
                    "1 paid orders in PostgreSQL, each paid (--shared: the summary's paid count is not compared)"),
            ],
            [
                InvariantChecker.CheckSoldMatchesSuccesses(run, Sale(sold: 5), orders),
                InvariantChecker.CheckPaidMatchesSold(run, Sale(sold: 5), orders),
                InvariantChecker.CheckPaidOrdersStored(run, new StoredReadback([new(orders[0].Order!, orders[0].Order)])),
            ]);
    }

    [Fact]
    public void MorePaymentsAcknowledgedThanRedisSoldFail()
    {
        var run = Paying(Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")), ("o1", PaymentOutcome.Paid), ("o2", PaymentOutcome.Paid));

        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidMatchesSold, InvariantStatus.Failed,
                "Redis sold +1, 0 of them pending: 1 paid; payments acknowledged 2: 1 acknowledged payments are not in Redis' sold count"),
            InvariantChecker.CheckPaidMatchesSold(run, Sale(sold: 1), [Order("o1", "u1", OrderStatus.Paid), Order("o2", "u2", OrderStatus.Paid)]));
    }

    [Fact]
    public void APaidOrderStoredUnderAnotherReferenceFailsAndSoDoesAMissingBaseline()
    {
        var paid = Order("o1", "u1", OrderStatus.Paid, reference: "p1").Order!;
        var run = Evidence(successes: 1, ("u1", "o1")) with { StoredBefore = null };

        var result = InvariantChecker.CheckPaidOrdersStored(run, new StoredReadback(
            [new(paid, paid with { PaymentReference = "p9" })], SummaryAfter: new OrdersSummary(SaleId, 0, 1, 0, 0, 1)));

        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidOrdersStored, InvariantStatus.Failed,
                "1 of 1 paid orders not stored as paid: order o1 is u1's, paid as p9, in PostgreSQL; u1's, paid as p1, in Redis; "
                + "the summary could not be read before the run (if the order processor is behind, raise --settle)"),
            result);
    }

    [Fact]
    public void ExpiredUnitsResoldWithinTheUncertainAnswersPass()
    {
        var run = Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")) with { Uncertain = 1, LastSoldOut = Opening.AddSeconds(65) };

        Assert.Equal(
            new InvariantResult(InvariantChecker.ExpiredStockResold, InvariantStatus.Passed,
                "2 successes for 2 units; 1 orders expired 1 s or more before the last buyer was turned away: sold again within the 1 requests answered 503 or not at all"),
            InvariantChecker.CheckExpiredStockResold(run, Sale(sold: 1, total: 2), [Order("o1", "u1", OrderStatus.Expired, expiresSecond: 60), Order("o2", "u2", OrderStatus.Paid)]));
    }

    [Theory]
    [InlineData("s1", "u2", "order o1 belongs to u2, not u1")]
    [InlineData("s2", "u1", "order o1 of u1 is of sale s2")]
    [InlineData(null, null, "order o1 of u1: GET answered 404")]
    public void AnOrderAnsweredForAnotherBuyerOrSaleOrNotAtAllIsAFailure(string? saleId, string? userId, string failure)
    {
        var answer = saleId is null ? null : Order("o1", userId!).Order! with { SaleId = saleId };

        Assert.Equal(new FetchedOrder(new("u1", "o1"), null, failure), FetchedOrder.FromAnswer(SaleId, new("u1", "o1"), answer, "answered 404"));
    }

    /// <summary>An order the API answered for its buyer; times in seconds after <see cref="Opening"/>.</summary>
    private static FetchedOrder Order(
        string orderId, string userId, OrderStatus status = OrderStatus.Pending, int expiresSecond = 900, string? reference = null) =>
        new(new(userId, orderId), new(orderId, SaleId, userId, "r1", status, Opening, Opening.AddSeconds(expiresSecond),
            PaidAt: status == OrderStatus.Paid ? Opening.AddSeconds(1) : null, reference, Epoch: 1), null);
}
