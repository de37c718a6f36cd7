using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SpikeApp.Contracts.Orders;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Outcomes;
using static SpikeApp.LoadGen.Tests.Runs;

namespace SpikeApp.LoadGen.Tests;

/// <summary>The invariants as <see cref="SaleReader"/> reads them back from a stub API and the order processor over HTTP.</summary>
public class ReadAndCheckTests
{
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
                InvariantChecker.OrdersHiddenFromOthers,
            ],
            report.Results.Select(result => result.Name));
        Assert.Equal("Redis sold 0 -> 3 (+3), successes seen 3", Result(report, InvariantChecker.SoldMatchesSuccesses).Detail);
        Assert.Equal("3 orders fetched, each its buyer's", Result(report, InvariantChecker.OrdersBelongToBuyers).Detail);
        Assert.Equal("u2's token on order o1 of u1: 404 urn:spikeapp:problem:no-order, as for a missing order",
            Result(report, InvariantChecker.OrdersHiddenFromOthers).Detail);
        Assert.Equal(3, report.SaleAfter?.Sold);
    }

    [Fact]
    public async Task AnOversoldSaleFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 11), Orders());

        var report = await CheckAsync(api, Evidence(successes: 11) with { Mode = LoadMode.Seed });

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(
            [InvariantStatus.Passed, InvariantStatus.Failed, InvariantStatus.Failed, InvariantStatus.Passed, InvariantStatus.Skipped, InvariantStatus.Skipped, InvariantStatus.Skipped],
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
        Assert.Equal("2 of 3 orders failed: order o2 of u2: GET answered 404; order o3 of u3: GET answered 404", failed.Detail);
    }

    [Fact]
    public async Task AnApiThatShowsABuyerAnotherBuyersOrderFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 2), Orders(("o1", "u1"), ("o2", "someone-else")), ownersOnly: false);

        var report = await CheckAsync(api, Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")));

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(
            [
                (InvariantChecker.OrdersBelongToBuyers, "1 of 2 orders failed: order o2 belongs to someone-else, not u2"),
                (InvariantChecker.OrdersHiddenFromOthers, "u2's token on order o1 of u1: answered 200, a buyer can read another buyer's order"),
            ],
            report.Results.Where(result => result.Status == InvariantStatus.Failed).Select(result => (result.Name, result.Detail)));
    }

    [Theory]
    [InlineData(403, """{"type":"urn:spikeapp:problem:not-your-order","status":403}""",
        "u2's token on order o1 of u1: answered 403 urn:spikeapp:problem:not-your-order, not 404 urn:spikeapp:problem:no-order as for a missing order")]
    [InlineData(404, "", "u2's token on order o1 of u1: answered 404 without a problem type, not 404 urn:spikeapp:problem:no-order as for a missing order")]
    [InlineData(401, """{"type":"urn:spikeapp:problem:unauthenticated","status":401}""",
        "u2's token on order o1 of u1: answered 401 urn:spikeapp:problem:unauthenticated, not 404 urn:spikeapp:problem:no-order as for a missing order")]
    public async Task AnotherBuyersOrderMustAnswerExactlyAsAMissingOne(int status, string body, string detail)
    {
        await using var api = await StubApi.StartAsync(app =>
        {
            app.MapGet("/api/sales/{saleId}", () => Results.Text(Sale(total: 10, sold: 2), "application/json"));
            app.MapGet("/api/sales/{saleId}/orders/{orderId}", async (string orderId, HttpRequest request) =>
                await StubBuyers.BuyerOfAsync(request) == orderId.Replace('o', 'u')
                    ? Results.Text(new OrderRow(orderId, orderId.Replace('o', 'u')).Json(SaleId), "application/json")
                    : Results.Text(body, "application/problem+json", statusCode: status));
        });

        var report = await CheckAsync(api, Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")));

        Assert.Equal(new InvariantResult(InvariantChecker.OrdersHiddenFromOthers, InvariantStatus.Failed, detail), Result(report, InvariantChecker.OrdersHiddenFromOthers));
        Assert.Equal(InvariantStatus.Passed, Result(report, InvariantChecker.OrdersBelongToBuyers).Status);
    }

    [Fact]
    public async Task EachOrderIsReadWithItsBuyersTokenAndOneWithAnothers()
    {
        var reads = new System.Collections.Concurrent.ConcurrentQueue<(string OrderId, string? Buyer)>();
        await using var api = await StubApi.StartAsync(app =>
        {
            app.MapGet("/api/sales/{saleId}", () => Results.Text(Sale(total: 10, sold: 3), "application/json"));
            app.MapGet("/api/sales/{saleId}/orders/{orderId}", async (string orderId, HttpRequest request) =>
            {
                var buyer = await StubBuyers.BuyerOfAsync(request);
                reads.Enqueue((orderId, buyer));
                return buyer == orderId.Replace('o', 'u')
                    ? Results.Text(new OrderRow(orderId, buyer).Json(SaleId), "application/json")
                    : NoOrder();
            });
        });

        var report = await CheckAsync(api, Evidence(successes: 3, ("u3", "o3"), ("u1", "o1"), ("u2", "o2")));

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(
            [("o1", "u1"), ("o1", "u2"), ("o2", "u2"), ("o3", "u3")],
            reads.OrderBy(read => read.OrderId, StringComparer.Ordinal).ThenBy(read => read.Buyer, StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheForeignReadIsOfAnOrderItsBuyerCouldRead()
    {
        // u1's order is missing: another buyer's 404 on it would show nothing.
        await using var api = await StartAsync(Sale(total: 10, sold: 2), Orders(("o2", "u2"), ("o3", "u3")));

        var report = await CheckAsync(api, Evidence(successes: 3, ("u1", "o1"), ("u2", "o2"), ("u3", "o3")));

        Assert.Equal(
            new InvariantResult(InvariantChecker.OrdersHiddenFromOthers, InvariantStatus.Passed,
                "u1's token on order o2 of u2: 404 urn:spikeapp:problem:no-order, as for a missing order"),
            Result(report, InvariantChecker.OrdersHiddenFromOthers));
    }

    [Fact]
    public async Task WithOneBuyerThereIsNoOtherBuyersOrderToRead()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 1), Orders(("o1", "u1")));

        var report = await CheckAsync(api, Evidence(successes: 1, ("u1", "o1")));

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(
            new InvariantResult(InvariantChecker.OrdersHiddenFromOthers, InvariantStatus.Skipped, "no other buyer's order to read: fewer than two buyers hold one their own token reads"),
            Result(report, InvariantChecker.OrdersHiddenFromOthers));
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
        await using var api = await StartAsync(Sale(total: 10, sold: 9), Orders(("o1", "u1"), ("o2", "u2")));

        var report = await CheckAsync(api, Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")) with { Shared = true });

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
            [InvariantStatus.Failed, InvariantStatus.Skipped, InvariantStatus.Skipped, InvariantStatus.Skipped, InvariantStatus.Passed, InvariantStatus.Passed, InvariantStatus.Skipped],
            report.Results.Select(result => result.Status));
    }

    [Fact]
    public async Task APayingRunWhoseUnitsArePendingOrPaidPassesThePaymentChecks()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 3),
            [new("o1", "u1", "paid", Reference: "p1"), new("o2", "u2"), new("o3", "u3", "paid", Reference: "p3")],
            stored: [new("o1", "u1", "paid", Reference: "p1"), new("o3", "u3", "paid", Reference: "p3")], storedPaid: 7);

        var report = await CheckAsync(api, Paying(Evidence(successes: 3, ("u1", "o1"), ("u2", "o2"), ("u3", "o3")), ("o1", PaymentOutcome.Paid), ("o3", PaymentOutcome.Paid)) with
        {
            StoredBefore = new OrdersSummary(SaleId, Pending: 0, Paid: 5, Expired: 0, Voided: 0, Total: 5),
        });

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(
            [
                (InvariantChecker.PaidMatchesSold, InvariantStatus.Passed, "Redis sold +3, 1 of them pending: 2 paid; payments acknowledged 2"),
                (InvariantChecker.OneLiveOrderPerBuyer, InvariantStatus.Passed, "3 buyers, none holding two pending or paid orders"),
                (InvariantChecker.PaidOrdersStored, InvariantStatus.Passed, "2 paid orders in PostgreSQL, each paid (summary paid 5 -> 7)"),
                (InvariantChecker.ExpiredStockResold, InvariantStatus.Skipped, "no order of this run expired"),
            ],
            report.Results.Skip(7).Select(result => (result.Name, result.Status, result.Detail)));
    }

    [Fact]
    public async Task AnAcknowledgedPaymentThatDidNotStickFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 3), [new("o1", "u1"), new("o2", "u2"), new("o3", "u3", "paid")]);

        var report = await CheckAsync(api, Paying(Evidence(successes: 3, ("u1", "o1"), ("u2", "o2"), ("u3", "o3")), ("o1", PaymentOutcome.Paid), ("o3", PaymentOutcome.Paid)));

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidMatchesSold, InvariantStatus.Failed,
                "Redis sold +3, 2 of them pending: 1 paid; payments acknowledged 2; 1 acknowledged payments did not stick: order o1 reads pending"),
            Result(report, InvariantChecker.PaidMatchesSold));
    }

    [Fact]
    public async Task UnitsNeitherPendingNorPaidByTheRunPassOnlyUpToTheUncertainAnswers()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 4), [new("o1", "u1", "paid"), new("o2", "u2")]);
        var evidence = Evidence(successes: 2, ("u1", "o1"), ("u2", "o2"));

        var beyond = await CheckAsync(api, Paying(evidence, ("o1", PaymentOutcome.Paid)));
        var within = await CheckAsync(api, Paying(evidence with { Uncertain = 1 }, ("o1", PaymentOutcome.Paid), ("o2", PaymentOutcome.OtherError)));

        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidMatchesSold, InvariantStatus.Failed,
                "Redis sold +4, 1 of them pending: 3 paid; payments acknowledged 1: 2 units neither pending nor paid by this run (0 purchases or payments answered 503, an error or not at all)"),
            Result(beyond, InvariantChecker.PaidMatchesSold));
        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidMatchesSold, InvariantStatus.Passed,
                "Redis sold +4, 1 of them pending: 3 paid; payments acknowledged 1: the 2 more are within the 2 purchases or payments answered 503, an error or not at all"),
            Result(within, InvariantChecker.PaidMatchesSold));
    }

    [Fact]
    public async Task ABuyerHoldingTwoLiveOrdersFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 3), [new("o1", "u1", "paid"), new("o2", "u1"), new("o3", "u2")]);

        var report = await CheckAsync(api, Paying(Evidence(successes: 3, ("u1", "o1"), ("u1", "o2"), ("u2", "o3")), ("o1", PaymentOutcome.Paid)));

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(
            new InvariantResult(InvariantChecker.OneLiveOrderPerBuyer, InvariantStatus.Failed, "1 buyers hold two live orders: u1 (o1 paid, o2 pending)"),
            Result(report, InvariantChecker.OneLiveOrderPerBuyer));
        Assert.Equal(InvariantStatus.Failed, Result(report, InvariantChecker.OneOrderPerUser).Status);
    }

    [Fact]
    public async Task AVoidedOrderIsNotLive()
    {
        // u1's first order was pending when the sale was reset: it ended with that round and holds no unit.
        await using var api = await StartAsync(Sale(total: 10, sold: 2), [new("o1", "u1", "voided"), new("o2", "u1"), new("o3", "u2")]);

        var report = await CheckAsync(api, Paying(Evidence(successes: 3, ("u1", "o1"), ("u1", "o2"), ("u2", "o3"))) with { Shared = true });

        Assert.Equal(
            new InvariantResult(InvariantChecker.OneLiveOrderPerBuyer, InvariantStatus.Passed, "2 buyers, none holding two pending or paid orders"),
            Result(report, InvariantChecker.OneLiveOrderPerBuyer));
        Assert.Equal(
            new InvariantResult(InvariantChecker.OrdersBelongToBuyers, InvariantStatus.Passed, "3 orders fetched, each its buyer's"),
            Result(report, InvariantChecker.OrdersBelongToBuyers));
    }

    [Fact]
    public async Task ABuyerWhoBoughtAgainAfterTheirOrderExpiredHoldsOneOrderAtATime()
    {
        // Total 2: u1's first order expired at 60 s, u1 bought again at 61 s; the run saw 3 successes for 2 units.
        await using var api = await StartAsync(Sale(total: 2, sold: 2),
            [new("o1", "u1", "expired", CreatedSecond: 0, ExpiresSecond: 60), new("o2", "u1", "paid", CreatedSecond: 61), new("o3", "u2", CreatedSecond: 1)],
            stored: [new("o2", "u1", "paid")], storedPaid: 1);

        var report = await CheckAsync(api, Paying(Evidence(successes: 3, ("u1", "o1"), ("u2", "o3"), ("u1", "o2")), ("o2", PaymentOutcome.Paid)) with
        {
            SaleBefore = Before with { Total = 2, Remaining = 2 },
            LastSoldOut = OrderRow.Opening.AddSeconds(65),
        });

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(
            [
                (InvariantChecker.SuccessesWithinTotal, "3 successes seen, 1 of their orders expired since, total 2"),
                (InvariantChecker.SoldMatchesSuccesses, "Redis sold 0 -> 2 (+2), successes seen 3 less 1 expired"),
                (InvariantChecker.OneOrderPerUser, "2 buyers, each with one order id at a time (1 bought again after their order expired)"),
                (InvariantChecker.OrdersBelongToBuyers, "3 orders fetched, each its buyer's"),
                (InvariantChecker.OrdersHiddenFromOthers, "u2's token on order o1 of u1: 404 urn:spikeapp:problem:no-order, as for a missing order"),
                (InvariantChecker.PaidMatchesSold, "Redis sold +2, 1 of them pending: 1 paid; payments acknowledged 1"),
                (InvariantChecker.OneLiveOrderPerBuyer, "2 buyers, none holding two pending or paid orders"),
                (InvariantChecker.PaidOrdersStored, "1 paid orders in PostgreSQL, each paid (summary paid 0 -> 1)"),
                (InvariantChecker.ExpiredStockResold, "3 successes for 2 units; 1 orders expired 1 s or more before the last buyer was turned away"),
            ],
            report.Results.Skip(2).Select(result => (result.Name, result.Detail)));
    }

    [Fact]
    public async Task ASecondOrderMadeBeforeTheFirstExpiredFails()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 1),
            [new("o1", "u1", "expired", CreatedSecond: 0, ExpiresSecond: 60), new("o2", "u1", CreatedSecond: 30)]);

        var report = await CheckAsync(api, Evidence(successes: 2, ("u1", "o1"), ("u1", "o2")));

        Assert.Equal(
            new InvariantResult(InvariantChecker.OneOrderPerUser, InvariantStatus.Failed, "1 buyers hold more than one order id: u1 (o1, o2)"),
            Result(report, InvariantChecker.OneOrderPerUser));
        Assert.Equal(InvariantStatus.Passed, Result(report, InvariantChecker.SoldMatchesSuccesses).Status);
    }

    [Fact]
    public async Task UnitsReleasedWhileBuyersWereTurnedAwayButNotSoldAgainFail()
    {
        await using var api = await StartAsync(Sale(total: 2, sold: 1), [new("o1", "u1", "expired", ExpiresSecond: 60), new("o2", "u2", "paid")]);

        var report = await CheckAsync(api, Paying(Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")), ("o2", PaymentOutcome.Paid)) with
        {
            LastSoldOut = OrderRow.Opening.AddSeconds(65),
        });

        Assert.Equal(
            new InvariantResult(InvariantChecker.ExpiredStockResold, InvariantStatus.Failed,
                "2 successes for 2 units; 1 orders expired 1 s or more before the last buyer was turned away: their units were not sold again"),
            Result(report, InvariantChecker.ExpiredStockResold));
    }

    [Theory]
    [InlineData(60.5, "1 orders expired, none 1 s before the last buyer was turned away: nobody was left to buy")]
    [InlineData(null, "no buyer was turned away: demand stayed within the stock")]
    public async Task AnExpiryWithNobodyLeftToBuyNeedsNoResale(double? lastSoldOutSecond, string reason)
    {
        await using var api = await StartAsync(Sale(total: 2, sold: 1), [new("o1", "u1", "expired", ExpiresSecond: 60), new("o2", "u2", "paid")]);

        var report = await CheckAsync(api, Paying(Evidence(successes: 2, ("u1", "o1"), ("u2", "o2")), ("o2", PaymentOutcome.Paid)) with
        {
            LastSoldOut = lastSoldOutSecond is { } second ? OrderRow.Opening.AddSeconds(second) : null,
        });

        Assert.Equal(new InvariantResult(InvariantChecker.ExpiredStockResold, InvariantStatus.Skipped, reason), Result(report, InvariantChecker.ExpiredStockResold));
    }

    [Fact]
    public async Task PaidOrdersMissingFromPostgresOrNotPaidThereFail()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 3),
            [new("o1", "u1", "paid", Reference: "p1"), new("o2", "u2", "paid", Reference: "p2"), new("o3", "u3", "paid", Reference: "p3")],
            stored: [new("o1", "u1", Reference: null), new("o2", "u2", "paid", Reference: "p2")], storedPaid: 1);

        var report = await CheckAsync(api,
            Paying(Evidence(successes: 3, ("u1", "o1"), ("u2", "o2"), ("u3", "o3")), ("o1", PaymentOutcome.Paid), ("o2", PaymentOutcome.Paid), ("o3", PaymentOutcome.Paid)));

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidOrdersStored, InvariantStatus.Failed,
                "2 of 3 paid orders not stored as paid: order o1 is pending in PostgreSQL; order o3: GET answered 404; "
                + "summary paid 0 -> 1 (+1), yet Redis holds 3 paid orders of this run (if the order processor is behind, raise --settle)"),
            Result(report, InvariantChecker.PaidOrdersStored));
    }

    [Fact]
    public async Task APaidOrderInPostgresThatRedisDoesNotHoldFailsTheCount()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 1), [new("o1", "u1", "paid")], stored: [new("o1", "u1", "paid")], storedPaid: 2);

        var report = await CheckAsync(api, Paying(Evidence(successes: 1, ("u1", "o1")), ("o1", PaymentOutcome.Paid)));

        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidOrdersStored, InvariantStatus.Failed,
                "summary paid 0 -> 2 (+2), yet Redis holds 1 paid orders of this run (if the order processor is behind, raise --settle)"),
            Result(report, InvariantChecker.PaidOrdersStored));
    }

    [Fact]
    public async Task WithoutTheOrdersUrlPostgresIsNotChecked()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 1), [new("o1", "u1", "paid")]);

        var report = await CheckAsync(new SaleReader(api.Client), Paying(Evidence(successes: 1, ("u1", "o1")), ("o1", PaymentOutcome.Paid)), CancellationToken.None);

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidOrdersStored, InvariantStatus.Skipped, "no --orders-url: PostgreSQL not checked"),
            Result(report, InvariantChecker.PaidOrdersStored));
    }

    [Fact]
    public async Task AnOrderProcessorThatDoesNotAnswerFailsThePostgresCheck()
    {
        await using var api = await StartAsync(Sale(total: 10, sold: 1), [new("o1", "u1", "paid")]);
        // Nothing listens on port 1: every read of the order processor is refused.
        using var nowhere = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:1/") };

        var report = await CheckAsync(new SaleReader(api.Client, new StoredOrdersClient(nowhere)),
            Paying(Evidence(successes: 1, ("u1", "o1")), ("o1", PaymentOutcome.Paid)), CancellationToken.None);

        Assert.Equal(
            new InvariantResult(InvariantChecker.PaidOrdersStored, InvariantStatus.Failed,
                "1 of 1 paid orders not stored as paid: order o1: GET failed: Connection refused (127.0.0.1:1); "
                + "the summary could not be read after the run: GET /api/orders/s1/summary failed: Connection refused (127.0.0.1:1) (if the order processor is behind, raise --settle)"),
            Result(report, InvariantChecker.PaidOrdersStored));
    }

    [Fact]
    public async Task ASaleThatChangesWhileItsOrdersAreReadIsReadAgain()
    {
        // The order expires (and Redis' sold count drops) just after the first read of it answered "pending".
        var expired = 0;
        await using var api = await StubApi.StartAsync(app =>
        {
            app.MapGet("/api/sales/{saleId}", () => Results.Text(Sale(total: 10, sold: 3 - Volatile.Read(ref expired)), "application/json"));
            app.MapGet("/api/sales/{saleId}/orders/{orderId}", async (string orderId, HttpRequest request) =>
            {
                if (await StubBuyers.BuyerOfAsync(request) != orderId.Replace('o', 'u'))
                {
                    return NoOrder();
                }

                var status = orderId == "o2" && Interlocked.Exchange(ref expired, 1) == 1 ? "expired" : "pending";
                return Results.Text(new OrderRow(orderId, orderId.Replace('o', 'u'), orderId == "o2" ? status : "pending").Json(SaleId), "application/json");
            });
        });

        var report = await CheckAsync(api, Evidence(successes: 3, ("u1", "o1"), ("u2", "o2"), ("u3", "o3")));

        Assert.Equal(0, report.ExitCode);
        Assert.Equal("Redis sold 0 -> 2 (+2), successes seen 3 less 1 expired", Result(report, InvariantChecker.SoldMatchesSuccesses).Detail);
    }

    private static string Sale(long total, long sold, long epoch = 1) =>
        JsonSerializer.Serialize(new
        {
            saleId = SaleId, total, sold, remaining = Math.Max(0, total - sold), soldOut = sold >= total, epoch,
            soldByReplica = new Dictionary<string, long> { ["r1"] = sold },
            replica = new { id = "r1", slice = total, sliceRemaining = 0, soldHere = sold, soldOutKnown = false, inDoubt = 0 },
        });

    private static OrderRow[] Orders(params (string OrderId, string UserId)[] orders) => [.. orders.Select(order => new OrderRow(order.OrderId, order.UserId))];

    private static InvariantResult Result(InvariantReport report, string name) => Assert.Single(report.Results, result => result.Name == name);

    private static async Task<InvariantReport> CheckAsync(StubApi api, RunEvidence evidence)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await CheckAsync(new SaleReader(api.Client, new StoredOrdersClient(api.Client)), evidence, timeout.Token);
    }

    private static async Task<InvariantReport> CheckAsync(SaleReader reader, RunEvidence evidence, CancellationToken cancellationToken) =>
        InvariantChecker.Check(evidence, await reader.ReadBackAsync(evidence, StubBuyers.For(evidence), cancellationToken));

    /// <summary>
    /// Serves the crafted sale (404 when null) and orders the way the API does, each to its buyer's token only (unless
    /// <paramref name="ownersOnly"/> is false: an API that shows any buyer any order), and the stored orders (404 when
    /// absent) and a summary of <paramref name="storedPaid"/> paid the way the order processor does, without a token.
    /// </summary>
    private static Task<StubApi> StartAsync(string? saleJson, OrderRow[] orders, OrderRow[]? stored = null, long storedPaid = 0, bool ownersOnly = true) =>
        StubApi.StartAsync(app =>
        {
            app.MapGet("/api/sales/{saleId}", (string saleId) => saleId == SaleId && saleJson is not null
                ? Results.Text(saleJson, "application/json")
                : Results.NotFound());
            app.MapGet("/api/sales/{saleId}/orders/{orderId}", async (string saleId, string orderId, HttpRequest request) =>
                await StubBuyers.BuyerOfAsync(request) is { } buyer
                    ? Answer(orders.Where(row => !ownersOnly || row.UserId == buyer), saleId, orderId)
                    : StubBuyers.Unauthenticated(request.HttpContext.Response));
            app.MapGet("/api/orders/{saleId}/summary", (string saleId) => Results.Text(
                $$"""{"saleId":"{{saleId}}","pending":0,"paid":{{storedPaid}},"expired":0,"voided":0,"total":{{storedPaid}}}""", "application/json"));
            app.MapGet("/api/orders/{saleId}/{orderId}", (string saleId, string orderId) => Answer(stored ?? [], saleId, orderId));

            static IResult Answer(IEnumerable<OrderRow> rows, string saleId, string orderId) => rows.FirstOrDefault(row => row.OrderId == orderId) is { } row
                ? Results.Text(row.Json(saleId), "application/json")
                : NoOrder();
        });

    private static IResult NoOrder() =>
        Results.Text("""{"type":"urn:spikeapp:problem:no-order","status":404}""", "application/problem+json", statusCode: StatusCodes.Status404NotFound);

    /// <summary>An order as the API or the order processor answers it; times in seconds after <see cref="Opening"/>.</summary>
    private sealed record OrderRow(string OrderId, string UserId, string Status = "pending", int CreatedSecond = 0, int ExpiresSecond = 900, string? Reference = null)
    {
        public static readonly DateTimeOffset Opening = new(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);

        public string Json(string saleId) => JsonSerializer.Serialize(new
        {
            orderId = OrderId, saleId, userId = UserId, replicaId = "r1", status = Status,
            createdAt = Opening.AddSeconds(CreatedSecond), expiresAt = Opening.AddSeconds(ExpiresSecond),
            paidAt = Status == "paid" ? Opening.AddSeconds(CreatedSecond + 1) : (DateTimeOffset?)null, paymentReference = Reference, epoch = 1,
        });
    }
}
