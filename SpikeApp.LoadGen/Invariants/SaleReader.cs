using SpikeApp.Contracts;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>Reads back what the checks need: from the API, and from PostgreSQL through --orders-url when buyers paid.</summary>
public sealed class SaleReader(HttpClient http, StoredOrdersClient? storedOrders = null)
{
    private const int ReadAttempts = 3;

    public async Task<(SaleResponse? Sale, string? Error)> ReadSaleAsync(string saleId, CancellationToken cancellationToken)
    {
        var path = $"api/sales/{Uri.EscapeDataString(saleId)}";
        var (sale, failure) = await http.ReadAsync(path, ContractsJsonContext.Default.SaleResponse, cancellationToken);
        return (sale, failure is null ? null : $"GET /{path} {failure}.");
    }

    public Task<(OrdersSummary? Summary, string? Error)> ReadStoredSummaryAsync(string saleId, CancellationToken cancellationToken) =>
        storedOrders?.ReadSummaryAsync(saleId, cancellationToken) ?? Task.FromResult<(OrdersSummary?, string?)>((null, "no --orders-url"));

    public async Task<RunReadback> ReadBackAsync(RunEvidence run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (sale, error, orders) = await ReadSaleAndOrdersAsync(run, cancellationToken);
        var stored = run.PayRatio > 0 && storedOrders is not null ? await ReadStoredAsync(run, orders, storedOrders, cancellationToken) : null;
        return new RunReadback(sale, error, orders, stored);
    }

    /// <summary>Only expiries change the sold count after the run: the same before and after reading the orders, none expired meanwhile.</summary>
    private async Task<(SaleResponse? Sale, string? Error, IReadOnlyList<FetchedOrder> Orders)> ReadSaleAndOrdersAsync(
        RunEvidence run, CancellationToken cancellationToken)
    {
        var (sale, error) = await ReadSaleAsync(run.SaleId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var orders = await ReadOrdersAsync(run, cancellationToken);
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

    private async Task<IReadOnlyList<FetchedOrder>> ReadOrdersAsync(RunEvidence run, CancellationToken cancellationToken)
    {
        if (run.Mode != LoadMode.Api)
        {
            return [];
        }

        var held = run.Orders.Orders();
        var fetched = new FetchedOrder[held.Count];
        await Parallel.ForAsync(0, held.Count, InParallel(run, cancellationToken), async (i, token) =>
        {
            var path = $"api/sales/{Uri.EscapeDataString(run.SaleId)}/orders/{Uri.EscapeDataString(held[i].OrderId)}";
            var (answer, failure) = await http.ReadAsync(path, ContractsJsonContext.Default.Order, token);
            fetched[i] = FetchedOrder.FromAnswer(run.SaleId, held[i], answer, failure);
        });
        return fetched;
    }

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
