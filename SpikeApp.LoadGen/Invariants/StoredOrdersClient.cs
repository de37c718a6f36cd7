using SpikeApp.Contracts;
using SpikeApp.Contracts.Orders;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>Reads what PostgreSQL holds through the order processor's read API (--orders-url).</summary>
public sealed class StoredOrdersClient(HttpClient http)
{
    public async Task<(OrdersSummary? Summary, string? Error)> ReadSummaryAsync(string saleId, CancellationToken cancellationToken)
    {
        var path = $"api/orders/{Uri.EscapeDataString(saleId)}/summary";
        var (summary, failure) = await http.ReadAsync(path, ContractsJsonContext.Default.OrdersSummary, cancellationToken);
        return (summary, failure is null ? null : $"GET /{path} {failure}");
    }

    /// <returns>The stored order, or a failure such as "answered 404".</returns>
    public Task<(Order? Value, string? Failure)> ReadOrderAsync(string saleId, string orderId, CancellationToken cancellationToken) =>
        http.ReadAsync($"api/orders/{Uri.EscapeDataString(saleId)}/{Uri.EscapeDataString(orderId)}", ContractsJsonContext.Default.Order, cancellationToken);
}
