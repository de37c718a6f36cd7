using SpikeApp.Contracts;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Buyers;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>
/// Reads back what the checks need: the sale (public), each order with its buyer's token and one with another buyer's,
/// and from PostgreSQL through --orders-url when buyers paid.
/// </summary>
public sealed class SaleReader(HttpClient http, StoredOrdersClient? storedOrders = null)
{
    private const int ReadAttempts = 3;

    public async Task<(SaleResponse? Sale, string? Error)> ReadSaleAsync(string saleId, CancellationToken cancellationToken)
    {
        var path = $"api/sales/{Uri.EscapeDataString(saleId)}";
        var (sale, failure) = await http.ReadAsync(path, ContractsJsonContext.Default.SaleResponse, cancellationToken);
        return (sale, failure is null ? null : $"GET /{path} {failure}.");
    }

    /// <summary>The sale's opening fields only, so the LoadGen reads them whatever else the sale's answer carries.</summary>
    public async Task<(SaleSchedule? Schedule, string? Error)> ReadScheduleAsync(string saleId, CancellationToken cancellationToken)
    {
        var path = $"api/sales/{Uri.EscapeDataString(saleId)}";
        var (schedule, failure) = await http.ReadAsync(path, LoadGenJsonContext.Default.SaleSchedule, cancellationToken);
        return (schedule, failure is null ? null : $"GET /{path} {failure}.");
    }

    public Task<(OrdersSummary? Summary, string? Error)> ReadStoredSummaryAsync(string saleId, CancellationToken cancellationToken) =>
        storedOrders?.ReadSummaryAsync(saleId, cancellationToken) ?? Task.FromResult<(OrdersSummary?, string?)>((null, "no --orders-url"));

    /// <param name="buyers">Api mode: the token of every buyer who holds an order; seed mode: none.</param>
    public async Task<RunReadback> ReadBackAsync(RunEvidence run, BuyerTokens buyers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(buyers);
        var (sale, error, orders) = await ReadSaleAndOrdersAsync(run, buyers, cancellationToken);
        var foreign = run.Mode == LoadMode.Api ? await ReadForeignOrderAsync(run, orders, buyers, cancellationToken) : null;
        var stored = run.PayRatio > 0 && storedOrders is not null ? await ReadStoredAsync(run, orders, storedOrders, cancellationToken) : null;
        return new RunReadback(sale, error, orders, stored, foreign);
    }

    /// <summary>Only expiries change the sold count after the run: the same before and after reading the orders, none expired meanwhile.</summary>
    private async Task<(SaleResponse? Sale, string? Error, IReadOnlyList<FetchedOrder> Orders)> ReadSaleAndOrdersAsync(
        RunEvidence run, BuyerTokens buyers, CancellationToken cancellationToken)
    {
        var (sale, error) = await ReadSaleAsync(run.SaleId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var orders = await ReadOrdersAsync(run, buyers, cancellationToken);
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

    private async Task<IReadOnlyList<FetchedOrder>> ReadOrdersAsync(RunEvidence run, BuyerTokens buyers, CancellationToken cancellationToken)
    {
        if (run.Mode != LoadMode.Api)
        {
            return [];
        }

        var held = run.Orders.Orders();
        var fetched = new FetchedOrder[held.Count];
        await Parallel.ForAsync(0, held.Count, InParallel(run, cancellationToken), async (i, token) =>
        {
            var (answer, failure) = await http.ReadAsync(OrderPath(run, held[i]), ContractsJsonContext.Default.Order, buyers.AuthorizationFor(held[i].UserId), token);
            fetched[i] = FetchedOrder.FromAnswer(run.SaleId, held[i], answer, failure);
        });
        return fetched;
    }

    /// <summary>
    /// The first order its buyer's token read, by buyer and id, read again with the token of the first other buyer: an
    /// order that exists, so that a 404 shows it hidden rather than missing.
    /// </summary>
    private async Task<ForeignOrderRead?> ReadForeignOrderAsync(
        RunEvidence run, IReadOnlyList<FetchedOrder> fetched, BuyerTokens buyers, CancellationToken cancellationToken)
    {
        var order = fetched.Where(order => order.Order is not null).Select(order => order.Held)
            .OrderBy(order => order.UserId, StringComparer.Ordinal).ThenBy(order => order.OrderId, StringComparer.Ordinal).FirstOrDefault();
        var reader = fetched.Select(other => other.Held.UserId).Where(userId => userId != order?.UserId).Order(StringComparer.Ordinal).FirstOrDefault();
        if (order is null || reader is null)
        {
            return null;
        }

        var (statusCode, problemType, failure) = await http.ReadRefusalAsync(OrderPath(run, order), buyers.AuthorizationFor(reader), cancellationToken);
        return new ForeignOrderRead(reader, order, statusCode, problemType, failure);
    }

    private static string OrderPath(RunEvidence run, OrderHeld order) =>
        $"api/sales/{Uri.EscapeDataString(run.SaleId)}/orders/{Uri.EscapeDataString(order.OrderId)}";

    private static async Task<StoredReadback> ReadStoredAsync(
        RunEvidence run, IReadOnlyList<FetchedOrder> orders, StoredOrdersClient storedOrders, CancellationToken cancellationToken)
    {
        var paid = orders.Select(order => order.Order).OfType<Order>().Where(order => order.Status == OrderStatus.Paid).ToList();
        var stored = new StoredOrder[paid.Count];
        await Parallel.ForAsync(0, paid.Count, InParallel(run, cancellationToken), async (i, token) =>
        {
            var (copy, failure) = await storedOrders.ReadOrderAsync(run.SaleId, paid[i].OrderId, token);
            stored[i] = new StoredOrder(paid[i], copy, failure);
        });

        // With --shared the summary counts other clients' orders too, so there is nothing to compare it with.
        var (summary, error) = run.Shared ? (null, null) : await storedOrders.ReadSummaryAsync(run.SaleId, cancellationToken);
        return new StoredReadback(stored, summary, error);
    }

    private static ParallelOptions InParallel(RunEvidence run, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = run.Concurrency, CancellationToken = cancellationToken };
}
