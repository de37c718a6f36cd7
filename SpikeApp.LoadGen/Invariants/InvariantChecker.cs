using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Sales;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Outcomes;
using static System.FormattableString;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>Holds what was read back against what the client saw; no I/O, so each check can be tested on its own.</summary>
public static class InvariantChecker
{
    public const string SaleReadable = "sale readable";
    public const string SoldWithinTotal = "sold <= total";
    public const string SuccessesWithinTotal = "successes <= total";
    public const string SoldMatchesSuccesses = "sold == successes seen";
    public const string OneOrderPerUser = "one order id per user";
    public const string OrdersBelongToBuyers = "orders fetchable, each its buyer's";
    public const string OrdersHiddenFromOthers = "orders hidden from other buyers";
    public const string PaidMatchesSold = "paid == sold - pending";
    public const string OneLiveOrderPerBuyer = "one live order per buyer";
    public const string PaidOrdersStored = "paid orders in PostgreSQL once";
    public const string ExpiredStockResold = "expired stock sold again";
    public const string NoSaleBeforeOpening = "no sale before the opening";
    public const string NoneTurnedAwayAfterOpening = "none turned away after the opening";

    /// <summary>How long after its deadline an expired order's unit is surely back on sale: the processor expires due orders well within it.</summary>
    public static readonly TimeSpan ReleaseGrace = TimeSpan.FromSeconds(1);

    private const int MaxExamples = 5;

    private const string SaleUnread = "the sale could not be read";

    public static InvariantReport Check(RunEvidence run, RunReadback readback)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(readback);
        var (sale, orders) = (readback.Sale, readback.Orders);
        InvariantResult[] saleChecks = sale is null
            ? [new(SaleReadable, InvariantStatus.Failed, readback.SaleError ?? "no sale"), Unread(SoldWithinTotal), Unread(SuccessesWithinTotal), Unread(SoldMatchesSuccesses)]
            :
            [
                new(SaleReadable, InvariantStatus.Passed, Invariant($"total {sale.Total}, sold {sale.Sold}, epoch {sale.Epoch}")),
                CheckSoldWithinTotal(sale), CheckSuccessesWithinTotal(run, sale, orders), CheckSoldMatchesSuccesses(run, sale, orders),
            ];
        InvariantResult[] paymentChecks = run.PayRatio > 0
            ? [CheckPaidMatchesSold(run, sale, orders), CheckOneLiveOrderPerBuyer(orders), CheckPaidOrdersStored(run, readback.Stored), CheckExpiredStockResold(run, sale, orders)]
            : [];
        InvariantResult[] openingChecks = run.Stampede is { } stampede
            ? [CheckNoSaleBeforeOpening(run, stampede.Opening, orders), CheckNoneTurnedAwayAfterOpening(stampede)]
            : [];
        return new InvariantReport(run.SaleBefore, sale,
            [.. saleChecks, CheckOneOrderPerUser(run, orders), CheckOrdersBelongToBuyers(run, orders), CheckOrdersHiddenFromOthers(run, readback.Foreign),
             .. paymentChecks, .. openingChecks]);

        static InvariantResult Unread(string name) => new(name, InvariantStatus.Skipped, SaleUnread);
    }

    internal static InvariantResult CheckSoldWithinTotal(SaleResponse sale) =>
        InvariantResult.Check(SoldWithinTotal, sale.Sold <= sale.Total, Invariant($"Redis sold {sale.Sold} of {sale.Total}"));

    internal static InvariantResult CheckSuccessesWithinTotal(RunEvidence run, SaleResponse sale, IReadOnlyList<FetchedOrder> orders)
    {
        // An expired order gave its unit back, so it may be sold again: only live orders count against the total.
        var expired = Count(orders, OrderStatus.Expired);
        var detail = expired == 0
            ? Invariant($"{run.Successes} successes seen, total {sale.Total}")
            : Invariant($"{run.Successes} successes seen, {expired} of their orders expired since, total {sale.Total}");
        return InvariantResult.Check(SuccessesWithinTotal, run.Successes - expired <= sale.Total, detail);
    }

    internal static InvariantResult CheckSoldMatchesSuccesses(RunEvidence run, SaleResponse after, IReadOnlyList<FetchedOrder> orders)
    {
        if (SoldDuringRun(run, after) is { } unusable)
        {
            return new(SoldMatchesSuccesses, unusable.Status, unusable.Detail);
        }

        var seen = SuccessesSeen(run);
        var expired = Count(orders, OrderStatus.Expired);
        var live = seen - expired;
        var sold = after.Sold - run.SaleBefore!.Sold;
        var counts = Invariant($"Redis sold {run.SaleBefore.Sold} -> {after.Sold} (+{sold}), successes seen {seen}")
            + (expired > 0 ? Invariant($" less {expired} expired") : "");
        if (sold == live)
        {
            return new(SoldMatchesSuccesses, InvariantStatus.Passed, counts);
        }

        if (sold < live)
        {
            return new(SoldMatchesSuccesses, InvariantStatus.Failed, Invariant($"{counts}: {live - sold} buyers were told they bought a unit Redis did not count"));
        }

        // A 503 after a Redis timeout, or a lost answer, may hide a sale that did happen; beyond those, sales are unexplained.
        return sold - live <= run.Uncertain
            ? new(SoldMatchesSuccesses, InvariantStatus.Passed,
                Invariant($"{counts}: the {sold - live} unseen are within the {run.Uncertain} requests answered 503 or not at all"))
            : new(SoldMatchesSuccesses, InvariantStatus.Failed,
                Invariant($"{counts}: {sold - live} sales no buyer was told of ({run.Uncertain} requests answered 503 or not at all)"));
    }

    internal static InvariantResult CheckOneOrderPerUser(RunEvidence run, IReadOnlyList<FetchedOrder> orders)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(OneOrderPerUser, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        var found = OrdersById(orders);
        var conflicts = run.Orders.Conflicts();
        var boughtAgain = conflicts.Count(conflict => BoughtAgainAfterExpiry(conflict, found));
        var broken = conflicts.Where(conflict => !BoughtAgainAfterExpiry(conflict, found)).ToList();
        return broken.Count == 0
            ? new(OneOrderPerUser, InvariantStatus.Passed, Invariant($"{run.Orders.Buyers} buyers, each with one order id")
                + (boughtAgain > 0 ? Invariant($" at a time ({boughtAgain} bought again after their order expired)") : ""))
            : new(OneOrderPerUser, InvariantStatus.Failed, Invariant(
                $"{broken.Count} buyers hold more than one order id: {string.Join("; ", broken.Take(MaxExamples).Select(c => $"{c.UserId} ({string.Join(", ", c.OrderIds)})"))}"));
    }

    internal static InvariantResult CheckOrdersBelongToBuyers(RunEvidence run, IReadOnlyList<FetchedOrder> orders)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(OrdersBelongToBuyers, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        var failures = orders.Select(order => order.Failure).OfType<string>().Order(StringComparer.Ordinal).ToList();
        return failures.Count == 0
            ? new(OrdersBelongToBuyers, InvariantStatus.Passed, Invariant($"{orders.Count} orders fetched, each its buyer's"))
            : new(OrdersBelongToBuyers, InvariantStatus.Failed,
                Invariant($"{failures.Count} of {orders.Count} orders failed: {string.Join("; ", failures.Take(MaxExamples))}"));
    }

    /// <summary>Another buyer's order answers exactly as a missing one: 404 no-order, so an order id reveals nothing to anyone else.</summary>
    internal static InvariantResult CheckOrdersHiddenFromOthers(RunEvidence run, ForeignOrderRead? foreign)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(OrdersHiddenFromOthers, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        if (foreign is null)
        {
            return new(OrdersHiddenFromOthers, InvariantStatus.Skipped, "no other buyer's order to read: fewer than two buyers hold one their own token reads");
        }

        var read = $"{foreign.ReaderId}'s token on order {foreign.Order.OrderId} of {foreign.Order.UserId}";
        return foreign switch
        {
            { StatusCode: null } => new(OrdersHiddenFromOthers, InvariantStatus.Failed, $"{read}: GET {foreign.Failure}"),
            { StatusCode: 404, ProblemType: ProblemTypes.NoOrder } => new(OrdersHiddenFromOthers, InvariantStatus.Passed,
                $"{read}: 404 {ProblemTypes.NoOrder}, as for a missing order"),
            { StatusCode: 200 } => new(OrdersHiddenFromOthers, InvariantStatus.Failed, $"{read}: answered 200, a buyer can read another buyer's order"),
            _ => new(OrdersHiddenFromOthers, InvariantStatus.Failed, Invariant(
                $"{read}: answered {foreign.StatusCode} {foreign.ProblemType ?? "without a problem type"}, not 404 {ProblemTypes.NoOrder} as for a missing order")),
        };
    }

    /// <summary>Every unit this run sold is still pending, or paid by a payment this client saw acknowledged.</summary>
    internal static InvariantResult CheckPaidMatchesSold(RunEvidence run, SaleResponse? after, IReadOnlyList<FetchedOrder> orders)
    {
        if (run.Shared)
        {
            return new(PaidMatchesSold, InvariantStatus.Skipped, "--shared: other clients' orders are in Redis' sold count too");
        }

        if (after is null || SoldDuringRun(run, after) is not null)
        {
            return new(PaidMatchesSold, InvariantStatus.Skipped, $"no sold count for this run (see \"{SoldMatchesSuccesses}\")");
        }

        var sold = after.Sold - run.SaleBefore!.Sold;
        var pending = Count(orders, OrderStatus.Pending);
        var acknowledged = run.Orders.Payments(PaymentOutcome.Paid);
        var unsure = run.Uncertain + run.Orders.Payments(PaymentOutcome.OtherError);
        var counts = Invariant($"Redis sold +{sold}, {pending} of them pending: {sold - pending} paid; payments acknowledged {acknowledged}");
        var lost = orders
            .Where(order => order.Order is { Status: not OrderStatus.Paid } && run.Orders.PaymentOf(order.Held.OrderId) == PaymentOutcome.Paid)
            .Select(order => $"order {order.Held.OrderId} reads {order.Order!.Status.ToName()}")
            .Order(StringComparer.Ordinal).ToList();
        if (lost.Count > 0)
        {
            return new(PaidMatchesSold, InvariantStatus.Failed,
                Invariant($"{counts}; {lost.Count} acknowledged payments did not stick: {string.Join("; ", lost.Take(MaxExamples))}"));
        }

        var unexplained = sold - pending - acknowledged;
        return unexplained switch
        {
            0 => new(PaidMatchesSold, InvariantStatus.Passed, counts),
            < 0 => new(PaidMatchesSold, InvariantStatus.Failed, Invariant($"{counts}: {-unexplained} acknowledged payments are not in Redis' sold count")),
            _ when unexplained <= unsure => new(PaidMatchesSold, InvariantStatus.Passed,
                Invariant($"{counts}: the {unexplained} more are within the {unsure} purchases or payments answered 503, an error or not at all")),
            _ => new(PaidMatchesSold, InvariantStatus.Failed,
                Invariant($"{counts}: {unexplained} units neither pending nor paid by this run ({unsure} purchases or payments answered 503, an error or not at all)")),
        };
    }

    internal static InvariantResult CheckOneLiveOrderPerBuyer(IReadOnlyList<FetchedOrder> orders)
    {
        var doubled = orders
            .Where(order => order.Order?.Status.IsLive() == true)
            .GroupBy(order => order.Held.UserId, StringComparer.Ordinal)
            .Where(buyer => buyer.Count() > 1)
            .OrderBy(buyer => buyer.Key, StringComparer.Ordinal)
            .ToList();
        var buyers = orders.Select(order => order.Held.UserId).Distinct(StringComparer.Ordinal).Count();
        return doubled.Count == 0
            ? new(OneLiveOrderPerBuyer, InvariantStatus.Passed, Invariant($"{buyers} buyers, none holding two pending or paid orders"))
            : new(OneLiveOrderPerBuyer, InvariantStatus.Failed, Invariant(
                $"{doubled.Count} buyers hold two live orders: {string.Join("; ", doubled.Take(MaxExamples).Select(buyer => $"{buyer.Key} ({string.Join(", ", buyer.Select(order => $"{order.Held.OrderId} {order.Order!.Status.ToName()}").Order(StringComparer.Ordinal))})"))}"));
    }

    /// <summary>PostgreSQL's paid count grew by exactly the paid orders: none stored twice, none that Redis does not hold.</summary>
    internal static InvariantResult CheckPaidOrdersStored(RunEvidence run, StoredReadback? stored)
    {
        if (stored is null)
        {
            return new(PaidOrdersStored, InvariantStatus.Skipped, "no --orders-url: PostgreSQL not checked");
        }

        var paid = stored.PaidOrders.Count;
        var failures = stored.PaidOrders.Select(Disagreement).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var (summary, summaryProblem) = CompareStoredPaidCount(run, stored, paid);
        if (failures.Count == 0 && summaryProblem is null)
        {
            return new(PaidOrdersStored, InvariantStatus.Passed, Invariant($"{paid} paid orders in PostgreSQL, each paid ({summary})"));
        }

        var problems = new List<string>();
        if (failures.Count > 0)
        {
            problems.Add(Invariant($"{failures.Count} of {paid} paid orders not stored as paid: {string.Join("; ", failures.Take(MaxExamples))}"));
        }

        if (summaryProblem is not null)
        {
            problems.Add(summaryProblem);
        }

        return new(PaidOrdersStored, InvariantStatus.Failed, string.Join("; ", problems) + " (if the order processor is behind, raise --settle)");
    }

    /// <summary>When an order expired well before a buyer was turned away, someone bought its unit: more successes than the total.</summary>
    internal static InvariantResult CheckExpiredStockResold(RunEvidence run, SaleResponse? sale, IReadOnlyList<FetchedOrder> orders)
    {
        var expired = orders.Select(order => order.Order).OfType<Order>().Where(order => order.Status == OrderStatus.Expired).ToList();
        if (expired.Count == 0 || sale is null || run.LastSoldOut is not { } turnedAway)
        {
            return new(ExpiredStockResold, InvariantStatus.Skipped,
                expired.Count == 0 ? "no order of this run expired"
                : sale is null ? SaleUnread
                : "no buyer was turned away: demand stayed within the stock");
        }

        var released = expired.Count(order => order.ExpiresAt + ReleaseGrace <= turnedAway);
        if (released == 0)
        {
            return new(ExpiredStockResold, InvariantStatus.Skipped,
                Invariant($"{expired.Count} orders expired, none {ReleaseGrace.TotalSeconds:0.#} s before the last buyer was turned away: nobody was left to buy"));
        }

        var seen = SuccessesSeen(run);
        var counts = Invariant($"{seen} successes for {sale.Total} units; {released} orders expired {ReleaseGrace.TotalSeconds:0.#} s or more before the last buyer was turned away");
        return seen > sale.Total ? new(ExpiredStockResold, InvariantStatus.Passed, counts)
            : seen + run.Uncertain > sale.Total ? new(ExpiredStockResold, InvariantStatus.Passed,
                Invariant($"{counts}: sold again within the {run.Uncertain} requests answered 503 or not at all"))
            : new(ExpiredStockResold, InvariantStatus.Failed, $"{counts}: their units were not sold again");
    }

    /// <summary>Redis decides the opening: no order of the run was created (Redis' clock) before the sale's <c>opensAt</c>.</summary>
    internal static InvariantResult CheckNoSaleBeforeOpening(RunEvidence run, Opening opening, IReadOnlyList<FetchedOrder> orders)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(NoSaleBeforeOpening, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        if (opening.SaleOpensAt is not { } opensAt)
        {
            return new(NoSaleBeforeOpening, InvariantStatus.Skipped, "the sale reports no opensAt to hold its orders against");
        }

        var created = orders.Select(order => order.Order).OfType<Order>().ToList();
        var early = created.Where(order => order.CreatedAt < opensAt).OrderBy(order => order.CreatedAt).ToList();
        return early.Count == 0
            ? new(NoSaleBeforeOpening, InvariantStatus.Passed, Invariant($"{created.Count} orders, none created before {opensAt:O}"))
            : new(NoSaleBeforeOpening, InvariantStatus.Failed, Invariant(
                $"{early.Count} of {created.Count} orders created before {opensAt:O}: {string.Join("; ", early.Take(MaxExamples).Select(order => $"{order.OrderId} by {order.ReplicaId} at {order.CreatedAt:O}"))}"));
    }

    /// <summary>After the bell every replica sells: a "not open" to a request sent after it (and its grace) turned a buyer away.</summary>
    internal static InvariantResult CheckNoneTurnedAwayAfterOpening(StampedeResult stampede)
    {
        var grace = (stampede.Opening.ClockUncertainty + Stampede.Grace).TotalMilliseconds;
        return stampede.TurnedAway == 0
            ? new(NoneTurnedAwayAfterOpening, InvariantStatus.Passed, Invariant($"no \"not open\" to a request sent {grace:0.#} ms or more after the opening"))
            : new(NoneTurnedAwayAfterOpening, InvariantStatus.Failed,
                Invariant($"{stampede.TurnedAway} requests sent {grace:0.#} ms or more after the opening were answered \"not open\""));
    }

    /// <summary>A buyer may buy again once their order expired: every order but the last expired before the next was made.</summary>
    private static bool BoughtAgainAfterExpiry(OrderConflict conflict, Dictionary<string, Order> found)
    {
        var held = conflict.OrderIds.Select(found.GetValueOrDefault).ToList();
        if (held.Any(order => order is null))
        {
            return false;
        }

        var inOrder = held.OrderBy(order => order!.CreatedAt).ToList();
        return inOrder.Zip(inOrder.Skip(1)).All(pair =>
            pair.First!.Status == OrderStatus.Expired && pair.Second!.CreatedAt >= pair.First.ExpiresAt);
    }

    private static string? Disagreement(StoredOrder order) => (order.Paid, order.Stored) switch
    {
        (var paid, null) => $"order {paid.OrderId}: GET {order.Failure}",
        (var paid, { Status: not OrderStatus.Paid } stored) => $"order {paid.OrderId} is {stored.Status.ToName()} in PostgreSQL",
        (var paid, var stored) when stored.UserId != paid.UserId || stored.PaymentReference != paid.PaymentReference =>
            $"order {paid.OrderId} is {stored.UserId}'s, paid as {stored.PaymentReference}, in PostgreSQL; {paid.UserId}'s, paid as {paid.PaymentReference}, in Redis",
        _ => null,
    };

    private static (string Summary, string? Problem) CompareStoredPaidCount(RunEvidence run, StoredReadback stored, int paid)
    {
        if (run.Shared)
        {
            return ("--shared: the summary's paid count is not compared", null);
        }

        if (run.StoredBefore is not { } before || stored.SummaryAfter is not { } after)
        {
            return ("", stored.SummaryAfter is null
                ? $"the summary could not be read after the run: {stored.SummaryError}"
                : "the summary could not be read before the run");
        }

        var summary = Invariant($"summary paid {before.Paid} -> {after.Paid}");
        return after.Paid - before.Paid == paid
            ? (summary, null)
            : (summary, Invariant($"{summary} (+{after.Paid - before.Paid}), yet Redis holds {paid} paid orders of this run"));
    }

    /// <summary>Null when Redis' sold count can be compared with this run's; else why not, as the verdict to give.</summary>
    private static (InvariantStatus Status, string Detail)? SoldDuringRun(RunEvidence run, SaleResponse after) =>
        run.Shared ? (InvariantStatus.Skipped, "--shared: other clients buy from this sale too")
        : run.SaleBefore is not { } before ? (InvariantStatus.Failed, "the sale could not be read before the run, so its sold count has no baseline")
        : before.Epoch != after.Epoch ? (InvariantStatus.Failed,
            Invariant($"the sale was reset during the run (epoch {before.Epoch} -> {after.Epoch}); pass --shared if that was intended"))
        : null;

    /// <summary>Successes the client saw; in api mode a 200 can reveal an order whose 201 was lost, so the order ids count too.</summary>
    private static long SuccessesSeen(RunEvidence run) => run.Mode == LoadMode.Api ? Math.Max(run.Successes, run.Orders.DistinctOrderIds()) : run.Successes;

    private static int Count(IReadOnlyList<FetchedOrder> orders, OrderStatus status) => orders.Count(order => order.Order?.Status == status);

    private static Dictionary<string, Order> OrdersById(IReadOnlyList<FetchedOrder> orders)
    {
        var found = new Dictionary<string, Order>(StringComparer.Ordinal);
        foreach (var order in orders.Select(order => order.Order).OfType<Order>())
        {
            found.TryAdd(order.OrderId, order);
        }

        return found;
    }
}
