using System.Collections.Concurrent;
using SpikeApp.LoadGen.Outcomes;
using static System.FormattableString;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>
/// After the run, reads the sale (and in api mode every order) back from the API and holds it against what the
/// client saw: nothing oversold, every sale accounted for, one order per buyer, every order real and its buyer's.
/// When buyers paid, also: every unit sold is pending or paid by this run, no buyer holds two live orders, the paid
/// orders are in PostgreSQL once, and units released by expiry while buyers were turned away were sold again.
/// </summary>
public sealed class InvariantChecker(HttpClient http, StoredOrdersClient? storedOrders = null)
{
    public const string SaleReadable = "sale readable";
    public const string SoldWithinTotal = "sold <= total";
    public const string SuccessesWithinTotal = "successes <= total";
    public const string SoldMatchesSuccesses = "sold == successes seen";
    public const string OneOrderPerUser = "one order id per user";
    public const string OrdersBelongToBuyers = "orders fetchable, each its buyer's";
    public const string PaidMatchesSold = "paid == sold - pending";
    public const string OneLiveOrderPerBuyer = "one live order per buyer";
    public const string PaidOrdersStored = "paid orders in PostgreSQL once";
    public const string ExpiredStockResold = "expired stock sold again";

    /// <summary>
    /// How long after its deadline an expired order's unit is surely back on sale: the processor looks for due orders
    /// every 0.5 s by default, and the replicas hear of the restock at once.
    /// </summary>
    public static readonly TimeSpan ReleaseGrace = TimeSpan.FromSeconds(1);

    /// <summary>How many failed orders the report names.</summary>
    private const int Examples = 5;

    /// <summary>Reads of the sale and the orders until they agree (see <see cref="ReadSaleAndOrdersAsync"/>).</summary>
    private const int ReadAttempts = 3;

    public async Task<(SaleSnapshot? Sale, string? Error)> ReadSaleAsync(string saleId, CancellationToken cancellationToken)
    {
        var path = $"api/sales/{Uri.EscapeDataString(saleId)}";
        var (sale, failure) = await http.ReadAsync(path, LoadGenJsonContext.Default.SaleSnapshot, cancellationToken);
        return (sale, failure is null ? null : $"GET /{path} {failure}.");
    }

    /// <summary>PostgreSQL's counts for the sale, through --orders-url.</summary>
    public Task<(StoredOrdersSummary? Summary, string? Error)> ReadStoredSummaryAsync(string saleId, CancellationToken cancellationToken) =>
        storedOrders?.ReadSummaryAsync(saleId, cancellationToken) ?? Task.FromResult<(StoredOrdersSummary?, string?)>((null, "no --orders-url"));

    public async Task<InvariantReport> CheckAsync(RunEvidence run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var results = new List<InvariantResult>();

        var (sale, error, orders) = await ReadSaleAndOrdersAsync(run, cancellationToken);
        if (sale is null)
        {
            results.Add(new(SaleReadable, InvariantStatus.Failed, error ?? "no sale"));
            results.Add(new(SoldWithinTotal, InvariantStatus.Skipped, "the sale could not be read"));
            results.Add(new(SuccessesWithinTotal, InvariantStatus.Skipped, "the sale could not be read"));
            results.Add(new(SoldMatchesSuccesses, InvariantStatus.Skipped, "the sale could not be read"));
        }
        else
        {
            results.Add(new(SaleReadable, InvariantStatus.Passed, Invariant($"total {sale.Total}, sold {sale.Sold}, epoch {sale.Epoch}")));
            results.Add(InvariantResult.Check(SoldWithinTotal, sale.Sold <= sale.Total, Invariant($"Redis sold {sale.Sold} of {sale.Total}")));
            results.Add(CheckSuccessesWithinTotal(run, sale, orders));
            results.Add(CheckSoldMatchesSuccesses(run, sale, orders));
        }

        results.Add(CheckOneOrderPerUser(run, orders));
        results.Add(CheckOrdersBelongToBuyers(run, orders));
        if (run.PayRatio > 0)
        {
            results.Add(CheckPaidMatchesSold(run, sale, orders));
            results.Add(CheckOneLiveOrderPerBuyer(orders));
            results.Add(await CheckPaidOrdersStoredAsync(run, orders, cancellationToken));
            results.Add(CheckExpiredStockResold(run, sale, orders));
        }

        return new InvariantReport(run.SaleBefore, sale, results);
    }

    /// <summary>
    /// The sale and every order seen, read so that they agree: after the run only expiries change the sold count, so
    /// when it is the same before and after reading the orders, no order expired in between.
    /// </summary>
    private async Task<(SaleSnapshot? Sale, string? Error, IReadOnlyList<FetchedOrder> Orders)> ReadSaleAndOrdersAsync(
        RunEvidence run, CancellationToken cancellationToken)
    {
        var (sale, error) = await ReadSaleAsync(run.SaleId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var orders = await FetchOrdersAsync(run, cancellationToken);
            if (run.Mode != LoadMode.Api || sale is null)
            {
                return (sale, error, orders);
            }

            var (again, _) = await ReadSaleAsync(run.SaleId, cancellationToken);
            if (again is null || (again.Sold == sale.Sold && again.Epoch == sale.Epoch) || attempt == ReadAttempts)
            {
                return (again ?? sale, null, orders);
            }

            sale = again;
        }
    }

    private static InvariantResult CheckSuccessesWithinTotal(RunEvidence run, SaleSnapshot sale, IReadOnlyList<FetchedOrder> orders)
    {
        // An expired order gave its unit back, so it may be sold again: only live orders count against the total.
        var expired = Count(orders, OrderSnapshot.Expired);
        var detail = expired == 0
            ? Invariant($"{run.Successes} successes seen, total {sale.Total}")
            : Invariant($"{run.Successes} successes seen, {expired} of their orders expired since, total {sale.Total}");
        return InvariantResult.Check(SuccessesWithinTotal, run.Successes - expired <= sale.Total, detail);
    }

    private static InvariantResult CheckSoldMatchesSuccesses(RunEvidence run, SaleSnapshot after, IReadOnlyList<FetchedOrder> orders)
    {
        if (SoldDuringRun(run, after) is { } unusable)
        {
            return new(SoldMatchesSuccesses, unusable.Status, unusable.Detail);
        }

        // In api mode a 200 can reveal an order whose 201 was lost, so the order ids seen count too.
        var seen = Seen(run);
        var expired = Count(orders, OrderSnapshot.Expired);
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

    private static InvariantResult CheckOneOrderPerUser(RunEvidence run, IReadOnlyList<FetchedOrder> orders)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(OneOrderPerUser, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        var found = Found(orders);
        var conflicts = run.Orders.Conflicts();
        var boughtAgain = conflicts.Count(conflict => BoughtAgainAfterExpiry(conflict, found));
        var broken = conflicts.Where(conflict => !BoughtAgainAfterExpiry(conflict, found)).ToList();
        return broken.Count == 0
            ? new(OneOrderPerUser, InvariantStatus.Passed, Invariant($"{run.Orders.Buyers} buyers, each with one order id")
                + (boughtAgain > 0 ? Invariant($" at a time ({boughtAgain} bought again after their order expired)") : ""))
            : new(OneOrderPerUser, InvariantStatus.Failed, Invariant(
                $"{broken.Count} buyers hold more than one order id: {string.Join("; ", broken.Take(Examples).Select(c => $"{c.UserId} ({string.Join(", ", c.OrderIds)})"))}"));
    }

    /// <summary>A buyer may buy again once their order expired: every order but the last expired before the next was made.</summary>
    private static bool BoughtAgainAfterExpiry(OrderConflict conflict, IReadOnlyDictionary<string, OrderSnapshot> found)
    {
        var held = conflict.OrderIds.Select(found.GetValueOrDefault).ToList();
        if (held.Any(order => order?.CreatedAt is null))
        {
            return false;
        }

        var inOrder = held.OrderBy(order => order!.CreatedAt).ToList();
        return inOrder.Zip(inOrder.Skip(1)).All(pair =>
            pair.First!.Status == OrderSnapshot.Expired && pair.First.ExpiresAt is { } deadline && pair.Second!.CreatedAt >= deadline);
    }

    private static InvariantResult CheckOrdersBelongToBuyers(RunEvidence run, IReadOnlyList<FetchedOrder> orders)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(OrdersBelongToBuyers, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        var failures = orders.Select(order => order.Failure).OfType<string>().Order(StringComparer.Ordinal).ToList();
        return failures.Count == 0
            ? new(OrdersBelongToBuyers, InvariantStatus.Passed, Invariant($"{orders.Count} orders fetched, each its buyer's"))
            : new(OrdersBelongToBuyers, InvariantStatus.Failed,
                Invariant($"{failures.Count} of {orders.Count} orders failed: {string.Join("; ", failures.Take(Examples))}"));
    }

    /// <summary>Every unit this run sold is still pending, or paid by a payment this client saw acknowledged.</summary>
    private static InvariantResult CheckPaidMatchesSold(RunEvidence run, SaleSnapshot? after, IReadOnlyList<FetchedOrder> orders)
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
        var pending = Count(orders, OrderSnapshot.Pending);
        var acknowledged = run.Orders.Payments(PaymentOutcome.Paid);
        var unsure = run.Uncertain + run.Orders.Payments(PaymentOutcome.OtherError);
        var counts = Invariant($"Redis sold +{sold}, {pending} of them pending: {sold - pending} paid; payments acknowledged {acknowledged}");
        var lost = orders
            .Where(order => order.Order is { Status: not OrderSnapshot.Paid } && run.Orders.PaymentOf(order.Held.OrderId) == PaymentOutcome.Paid)
            .Select(order => $"order {order.Held.OrderId} reads {order.Order!.Status}")
            .Order(StringComparer.Ordinal).ToList();
        if (lost.Count > 0)
        {
            return new(PaidMatchesSold, InvariantStatus.Failed,
                Invariant($"{counts}; {lost.Count} acknowledged payments did not stick: {string.Join("; ", lost.Take(Examples))}"));
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

    private static InvariantResult CheckOneLiveOrderPerBuyer(IReadOnlyList<FetchedOrder> orders)
    {
        var doubled = orders
            .Where(order => order.Order is { IsLive: true })
            .GroupBy(order => order.Held.UserId, StringComparer.Ordinal)
            .Where(buyer => buyer.Count() > 1)
            .OrderBy(buyer => buyer.Key, StringComparer.Ordinal)
            .ToList();
        var buyers = orders.Select(order => order.Held.UserId).Distinct(StringComparer.Ordinal).Count();
        return doubled.Count == 0
            ? new(OneLiveOrderPerBuyer, InvariantStatus.Passed, Invariant($"{buyers} buyers, none holding two pending or paid orders"))
            : new(OneLiveOrderPerBuyer, InvariantStatus.Failed, Invariant(
                $"{doubled.Count} buyers hold two live orders: {string.Join("; ", doubled.Take(Examples).Select(buyer => $"{buyer.Key} ({string.Join(", ", buyer.Select(order => $"{order.Held.OrderId} {order.Order!.Status}").Order(StringComparer.Ordinal))})"))}"));
    }

    /// <summary>
    /// Each order Redis holds as paid is in PostgreSQL as paid, and PostgreSQL's paid count grew by exactly their number
    /// (no paid order stored twice, none that Redis does not hold).
    /// </summary>
    private async Task<InvariantResult> CheckPaidOrdersStoredAsync(RunEvidence run, IReadOnlyList<FetchedOrder> orders, CancellationToken cancellationToken)
    {
        if (storedOrders is null)
        {
            return new(PaidOrdersStored, InvariantStatus.Skipped, "no --orders-url: PostgreSQL not checked");
        }

        var paid = orders.Select(order => order.Order).OfType<OrderSnapshot>().Where(order => order.Status == OrderSnapshot.Paid).ToList();
        var failures = new ConcurrentQueue<string>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = run.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(paid, parallel, async (order, token) =>
        {
            var (stored, failure) = await storedOrders.ReadOrderAsync(run.SaleId, order.OrderId, token);
            if (Disagreement(order, stored, failure) is { } problem)
            {
                failures.Enqueue(problem);
            }
        });

        var (summary, summaryProblem) = await CompareStoredPaidCountAsync(run, paid.Count, cancellationToken);
        if (failures.IsEmpty && summaryProblem is null)
        {
            return new(PaidOrdersStored, InvariantStatus.Passed, Invariant($"{paid.Count} paid orders in PostgreSQL, each paid ({summary})"));
        }

        var problems = new List<string>();
        if (!failures.IsEmpty)
        {
            problems.Add(Invariant($"{failures.Count} of {paid.Count} paid orders not stored as paid: {string.Join("; ", failures.Order(StringComparer.Ordinal).Take(Examples))}"));
        }

        if (summaryProblem is not null)
        {
            problems.Add(summaryProblem);
        }

        return new(PaidOrdersStored, InvariantStatus.Failed, string.Join("; ", problems) + " (if the order processor is behind, raise --settle)");
    }

    /// <summary>Null when PostgreSQL holds the paid order as Redis does: paid, the same buyer and payment reference; else how not.</summary>
    private static string? Disagreement(OrderSnapshot paid, OrderSnapshot? stored, string? failure) => stored switch
    {
        null => $"order {paid.OrderId}: GET {failure}",
        { Status: not OrderSnapshot.Paid } => $"order {paid.OrderId} is {stored.Status} in PostgreSQL",
        _ when stored.UserId != paid.UserId || stored.PaymentReference != paid.PaymentReference =>
            $"order {paid.OrderId} is {stored.UserId}'s, paid as {stored.PaymentReference}, in PostgreSQL; {paid.UserId}'s, paid as {paid.PaymentReference}, in Redis",
        _ => null,
    };

    /// <summary>PostgreSQL's paid count, before and after, against the paid orders of this run; a problem when they differ.</summary>
    private async Task<(string Summary, string? Problem)> CompareStoredPaidCountAsync(RunEvidence run, int paid, CancellationToken cancellationToken)
    {
        if (run.Shared)
        {
            return ("--shared: the summary's paid count is not compared", null);
        }

        var (after, error) = await ReadStoredSummaryAsync(run.SaleId, cancellationToken);
        if (run.StoredBefore is not { } before || after is null)
        {
            return ("", after is null ? $"the summary could not be read after the run: {error}" : "the summary could not be read before the run");
        }

        var summary = Invariant($"summary paid {before.Paid} -> {after.Paid}");
        return after.Paid - before.Paid == paid
            ? (summary, null)
            : (summary, Invariant($"{summary} (+{after.Paid - before.Paid}), yet Redis holds {paid} paid orders of this run"));
    }

    /// <summary>
    /// Units released by expiry are sold again while buyers still come: when an order expired well before a buyer was
    /// turned away, someone must have bought its unit, so the run saw more successes than the total.
    /// </summary>
    private static InvariantResult CheckExpiredStockResold(RunEvidence run, SaleSnapshot? sale, IReadOnlyList<FetchedOrder> orders)
    {
        var expired = orders.Select(order => order.Order).OfType<OrderSnapshot>().Where(order => order.Status == OrderSnapshot.Expired).ToList();
        if (expired.Count == 0 || sale is null || run.LastSoldOut is not { } turnedAway)
        {
            return new(ExpiredStockResold, InvariantStatus.Skipped,
                expired.Count == 0 ? "no order of this run expired"
                : sale is null ? "the sale could not be read"
                : "no buyer was turned away: demand stayed within the stock");
        }

        var released = expired.Count(order => order.ExpiresAt + ReleaseGrace <= turnedAway);
        if (released == 0)
        {
            return new(ExpiredStockResold, InvariantStatus.Skipped,
                Invariant($"{expired.Count} orders expired, none {ReleaseGrace.TotalSeconds:0.#} s before the last buyer was turned away: nobody was left to buy"));
        }

        var seen = Seen(run);
        var counts = Invariant($"{seen} successes for {sale.Total} units; {released} orders expired {ReleaseGrace.TotalSeconds:0.#} s or more before the last buyer was turned away");
        return seen > sale.Total ? new(ExpiredStockResold, InvariantStatus.Passed, counts)
            : seen + run.Uncertain > sale.Total ? new(ExpiredStockResold, InvariantStatus.Passed,
                Invariant($"{counts}: sold again within the {run.Uncertain} requests answered 503 or not at all"))
            : new(ExpiredStockResold, InvariantStatus.Failed, $"{counts}: their units were not sold again");
    }

    /// <summary>Null when Redis' sold count can be compared with this run's; else why not, as the verdict to give.</summary>
    private static (InvariantStatus Status, string Detail)? SoldDuringRun(RunEvidence run, SaleSnapshot after) =>
        run.Shared ? (InvariantStatus.Skipped, "--shared: other clients buy from this sale too")
        : run.SaleBefore is not { } before ? (InvariantStatus.Failed, "the sale could not be read before the run, so its sold count has no baseline")
        : before.Epoch != after.Epoch ? (InvariantStatus.Failed,
            Invariant($"the sale was reset during the run (epoch {before.Epoch} -> {after.Epoch}); pass --shared if that was intended"))
        : null;

    /// <summary>Successes the client saw; in api mode a 200 can reveal an order whose 201 was lost, so the order ids count too.</summary>
    private static long Seen(RunEvidence run) => run.Mode == LoadMode.Api ? Math.Max(run.Successes, run.Orders.DistinctOrderIds()) : run.Successes;

    private static int Count(IReadOnlyList<FetchedOrder> orders, string status) => orders.Count(order => order.Order?.Status == status);

    private static Dictionary<string, OrderSnapshot> Found(IReadOnlyList<FetchedOrder> orders)
    {
        var found = new Dictionary<string, OrderSnapshot>(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            if (order.Order is { } snapshot)
            {
                found.TryAdd(snapshot.OrderId, snapshot);
            }
        }

        return found;
    }

    private async Task<IReadOnlyList<FetchedOrder>> FetchOrdersAsync(RunEvidence run, CancellationToken cancellationToken)
    {
        if (run.Mode != LoadMode.Api)
        {
            return [];
        }

        var held = run.Orders.Orders();
        var fetched = new FetchedOrder[held.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = run.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, held.Count, parallel, async (i, token) => fetched[i] = await FetchOrderAsync(run.SaleId, held[i], token));
        return fetched;
    }

    /// <summary>The order as the API holds it when it exists, is of this sale and belongs to the buyer it was handed to; else why not.</summary>
    private async Task<FetchedOrder> FetchOrderAsync(string saleId, OrderHeld order, CancellationToken cancellationToken)
    {
        var path = $"api/sales/{Uri.EscapeDataString(saleId)}/orders/{Uri.EscapeDataString(order.OrderId)}";
        var (found, failure) = await http.ReadAsync(path, LoadGenJsonContext.Default.OrderSnapshot, cancellationToken);
        return found switch
        {
            null => new(order, null, $"order {order.OrderId} of {order.UserId}: GET {failure}"),
            _ when found.UserId != order.UserId => new(order, null, $"order {order.OrderId} belongs to {found.UserId}, not {order.UserId}"),
            _ when found.SaleId != saleId => new(order, null, $"order {order.OrderId} of {order.UserId} is of sale {found.SaleId}"),
            _ => new(order, found, null),
        };
    }

    /// <param name="Order">The order as the API answered it; null when <paramref name="Failure"/> says why it is not the buyer's.</param>
    private sealed record FetchedOrder(OrderHeld Held, OrderSnapshot? Order, string? Failure);
}
