using SpikeApp.Contracts;
using SpikeApp.Contracts.Orders;

namespace SpikeApp.LoadGen.Invariants;

public sealed class StoredOrdersClient(HttpClient http)
{
    public async Task<(OrdersSummary? Summary, string? Error)> ReadSummaryAsync(string saleId, CancellationToken cancellationToken)
    {
        var path = $"api/orders/{Uri.EscapeDataString(saleId)}/summary";
        var (summary, failure) = await http.ReadAsync(path, ContractsJsonContext.Default.OrdersSummary, cancellationToken);
        return (summary, failure is null ? null : $"GET /{path} {failure}");
    }

    public Task<(Order? Value, string? Failure)> ReadOrderAsync(string saleId, string orderId, CancellationToken cancellationToken) =>
        http.ReadAsync($"api/orders/{Uri.EscapeDataString(saleId)}/{Uri.EscapeDataString(orderId)}", ContractsJsonContext.Default.Order, cancellationToken);
}
