using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using static System.FormattableString;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>
/// After the run, reads the sale (and in api mode every order) back from the API and holds it against what the
/// client saw: nothing oversold, every sale accounted for, one order per buyer, every order real and its buyer's.
/// </summary>
public sealed class InvariantChecker(HttpClient http)
{
    public const string SaleReadable = "sale readable";
    public const string SoldWithinTotal = "sold <= total";
    public const string SuccessesWithinTotal = "successes <= total";
    public const string SoldMatchesSuccesses = "sold == successes seen";
    public const string OneOrderPerUser = "one order id per user";
    public const string OrdersBelongToBuyers = "orders fetchable, each its buyer's";

    /// <summary>How many failed orders the report names.</summary>
    private const int Examples = 5;

    public async Task<(SaleSnapshot? Sale, string? Error)> ReadSaleAsync(string saleId, CancellationToken cancellationToken)
    {
        var path = $"api/sales/{Uri.EscapeDataString(saleId)}";
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (null, $"GET /{path} answered {(int)response.StatusCode}.");
            }

            var sale = await response.Content.ReadFromJsonAsync(LoadGenJsonContext.Default.SaleSnapshot, cancellationToken);
            return sale is null ? (null, $"GET /{path} answered no sale.") : (sale, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException)
        {
            return (null, $"GET /{path} failed: {ex.Message}");
        }
    }

    public async Task<InvariantReport> CheckAsync(RunEvidence run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var results = new List<InvariantResult>();

        var (sale, error) = await ReadSaleAsync(run.SaleId, cancellationToken);
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
            results.Add(InvariantResult.Check(SuccessesWithinTotal, run.Successes <= sale.Total,
                Invariant($"{run.Successes} successes seen, total {sale.Total}")));
            results.Add(CheckSoldMatchesSuccesses(run, sale));
        }

        results.Add(CheckOneOrderPerUser(run));
        results.Add(await CheckOrdersBelongToBuyersAsync(run, cancellationToken));
        return new InvariantReport(run.SaleBefore, sale, results);
    }

    private static InvariantResult CheckSoldMatchesSuccesses(RunEvidence run, SaleSnapshot after)
    {
        if (run.Shared)
        {
            return new(SoldMatchesSuccesses, InvariantStatus.Skipped, "--shared: other clients buy from this sale too");
        }

        if (run.SaleBefore is not { } before)
        {
            return new(SoldMatchesSuccesses, InvariantStatus.Failed, "the sale could not be read before the run, so its sold count has no baseline");
        }

        if (before.Epoch != after.Epoch)
        {
            return new(SoldMatchesSuccesses, InvariantStatus.Failed,
                Invariant($"the sale was reset during the run (epoch {before.Epoch} -> {after.Epoch}); pass --shared if that was intended"));
        }

        // In api mode a 200 can reveal an order whose 201 was lost, so the order ids seen count too.
        var seen = run.Mode == LoadMode.Api ? Math.Max(run.Successes, run.Orders.DistinctOrderIds()) : run.Successes;
        var sold = after.Sold - before.Sold;
        var counts = Invariant($"Redis sold {before.Sold} -> {after.Sold} (+{sold}), successes seen {seen}");
        if (sold == seen)
        {
            return new(SoldMatchesSuccesses, InvariantStatus.Passed, counts);
        }

        if (sold < seen)
        {
            return new(SoldMatchesSuccesses, InvariantStatus.Failed, Invariant($"{counts}: {seen - sold} buyers were told they bought a unit Redis did not count"));
        }

        // A 503 after a Redis timeout, or a lost answer, may hide a sale that did happen; beyond those, sales are unexplained.
        return sold - seen <= run.Uncertain
            ? new(SoldMatchesSuccesses, InvariantStatus.Passed,
                Invariant($"{counts}: the {sold - seen} unseen are within the {run.Uncertain} requests answered 503 or not at all"))
            : new(SoldMatchesSuccesses, InvariantStatus.Failed,
                Invariant($"{counts}: {sold - seen} sales no buyer was told of ({run.Uncertain} requests answered 503 or not at all)"));
    }

    private static InvariantResult CheckOneOrderPerUser(RunEvidence run)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(OneOrderPerUser, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        var conflicts = run.Orders.Conflicts();
        return conflicts.Count == 0
            ? new(OneOrderPerUser, InvariantStatus.Passed, Invariant($"{run.Orders.Buyers} buyers, each with one order id"))
            : new(OneOrderPerUser, InvariantStatus.Failed, Invariant(
                $"{conflicts.Count} buyers hold more than one order id: {string.Join("; ", conflicts.Take(Examples).Select(c => $"{c.UserId} ({string.Join(", ", c.OrderIds)})"))}"));
    }

    private async Task<InvariantResult> CheckOrdersBelongToBuyersAsync(RunEvidence run, CancellationToken cancellationToken)
    {
        if (run.Mode != LoadMode.Api)
        {
            return new(OrdersBelongToBuyers, InvariantStatus.Skipped, "seed mode: the API returns no order ids");
        }

        var orders = run.Orders.Orders();
        var failures = new ConcurrentQueue<string>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = run.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(orders, parallel, async (order, token) =>
        {
            if (await CheckOrderAsync(run.SaleId, order, token) is { } failure)
            {
                failures.Enqueue(failure);
            }
        });

        return failures.IsEmpty
            ? new(OrdersBelongToBuyers, InvariantStatus.Passed, Invariant($"{orders.Count} orders fetched, each its buyer's"))
            : new(OrdersBelongToBuyers, InvariantStatus.Failed,
                Invariant($"{failures.Count} of {orders.Count} orders failed: {string.Join("; ", failures.Order(StringComparer.Ordinal).Take(Examples))}"));
    }

    /// <summary>Null when the order exists, is of this sale and belongs to the buyer it was handed to; else why not.</summary>
    private async Task<string?> CheckOrderAsync(string saleId, OrderHeld order, CancellationToken cancellationToken)
    {
        var path = $"api/sales/{Uri.EscapeDataString(saleId)}/orders/{Uri.EscapeDataString(order.OrderId)}";
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Invariant($"order {order.OrderId} of {order.UserId}: GET answered {(int)response.StatusCode}");
            }

            var found = await response.Content.ReadFromJsonAsync(LoadGenJsonContext.Default.OrderSnapshot, cancellationToken);
            return found switch
            {
                null => $"order {order.OrderId} of {order.UserId}: empty answer",
                _ when found.UserId != order.UserId => $"order {order.OrderId} belongs to {found.UserId}, not {order.UserId}",
                _ when found.SaleId != saleId => $"order {order.OrderId} of {order.UserId} is of sale {found.SaleId}",
                _ => null,
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException)
        {
            return $"order {order.OrderId} of {order.UserId}: {ex.Message}";
        }
    }
}
