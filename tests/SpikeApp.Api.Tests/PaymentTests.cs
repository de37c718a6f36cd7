using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>An order is pending until paid; unpaid past the payment window it expires and its unit sells again.</summary>
[Collection(SharedRedis.Name)]
public class PaymentTests(RedisServerFixture redis)
{
    [Fact]
    public async Task APaidOrderReadsPaidWithItsTimesAndReference()
    {
        await using var host = new ApiHost(redis, total: 5);
        var client = await host.StartAsync();
        var order = await BuyAsync(client, host.SaleId, "alice");

        var paid = await PayAsync(client, host.SaleId, order.OrderId, "alice", "pay-1");
        var stored = await (await client.GetOrderAsAsync(host.SaleId, order.OrderId, "alice")).Content.ReadFromJsonAsync<Order>();

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal(stored, await paid.Content.ReadFromJsonAsync<Order>());
        Assert.Equal((OrderStatus.Paid, "alice", "pay-1"), (stored!.Status, stored.UserId, stored.PaymentReference));
        Assert.InRange(stored.PaidAt!.Value, stored.CreatedAt, stored.ExpiresAt);
        Assert.Equal(TimeSpan.FromMinutes(15), stored.ExpiresAt - stored.CreatedAt);
    }

    [Fact]
    public async Task PayingAgainAnswersTheSamePaidOrder()
    {
        await using var host = new ApiHost(redis, total: 5);
        var client = await host.StartAsync();
        var order = await BuyAsync(client, host.SaleId, "alice");
        var first = await (await PayAsync(client, host.SaleId, order.OrderId, "alice", "pay-1")).Content.ReadFromJsonAsync<Order>();

        var again = await PayAsync(client, host.SaleId, order.OrderId, "alice", "pay-2");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, await again.Content.ReadFromJsonAsync<Order>());
    }

    [Fact]
    public async Task AnOrderNotPaidInTimeIsExpiredAndItsUnitSellsAgain()
    {
        await using var host = new ApiHost(redis, total: 1, settings: new Dictionary<string, string?> { ["Spike:PaymentWindow"] = "00:00:01" });
        var client = await host.StartAsync();
        var order = await BuyAsync(client, host.SaleId, "alice");
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        var late = await PayAsync(client, host.SaleId, order.OrderId, "alice", "pay-1");
        var stored = await (await client.GetOrderAsAsync(host.SaleId, order.OrderId, "alice")).Content.ReadFromJsonAsync<Order>();
        var sale = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}");
        var rebought = await HttpContractTests.BuyAsync(client, host.SaleId, "bob");

        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        using var problem = JsonDocument.Parse(await late.Content.ReadAsStringAsync());
        Assert.Equal(ProblemTypes.OrderExpired, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(OrderStatus.Expired, stored!.Status);
        Assert.Null(stored.PaidAt);
        Assert.Equal((0, 1), (sale!.Sold, sale.Remaining));
        Assert.Equal(HttpStatusCode.Created, rebought.StatusCode);
    }

    private static async Task<PurchaseResponse> BuyAsync(HttpClient client, string saleId, string userId)
    {
        using var response = await HttpContractTests.BuyAsync(client, saleId, userId);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PurchaseResponse>())!;
    }

    private static Task<HttpResponseMessage> PayAsync(HttpClient client, string saleId, string orderId, string userId, string reference) =>
        client.PayAsAsync(saleId, orderId, userId, reference);
}
