using System.Net;
using System.Net.Http.Json;
using System.Text;
using SpikeApp.Contracts.Sales;
using SpikeApp.Api.Stock;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>
/// Every answer of the API as text — status, contract headers, exact body — against <c>Golden/*.txt</c>, with only
/// generated ids and times masked (see <see cref="GoldenFiles"/>). Each test has its own fixed sale id, so sale ids
/// need no mask; <c>SPIKE_UPDATE_GOLDEN=1</c> rewrites the files.
/// </summary>
[Collection(SharedRedis.Name)]
public class GoldenAnswerTests(RedisServerFixture redis)
{
    private const string Json = "application/json";

    /// <summary>
    /// A body one byte over Spike:Admission:MaxRequestBodyBytes: refused by its length, and small enough to be sent whole
    /// before the answer, so the client never writes into a connection the server already closed.
    /// </summary>
    private const string OverLimit = "@over-limit";

    [Fact]
    public async Task PurchaseAnswers()
    {
        await using var host = new ApiHost(redis, "golden-purchase", total: 2);
        var client = await host.StartAsync();

        await AssertGoldenAsync("purchase-created", HttpContractTests.BuyAsync(client, host.SaleId, "alice"));
        await AssertGoldenAsync("purchase-existing", HttpContractTests.BuyAsync(client, host.SaleId, "alice"));
        (await HttpContractTests.BuyAsync(client, host.SaleId, "bob")).Dispose();
        await AssertGoldenAsync("purchase-sold-out", HttpContractTests.BuyAsync(client, host.SaleId, "carol"));
        await AssertGoldenAsync("purchase-no-sale", HttpContractTests.BuyAsync(client, "golden-no-such-sale", "alice"));
    }

    [Fact]
    public async Task SaleAnswers()
    {
        await using var host = new ApiHost(redis, "golden-sale", total: 5);
        var client = await host.StartAsync();
        (await HttpContractTests.BuyAsync(client, host.SaleId, "alice")).Dispose();

        await AssertGoldenAsync("sale", client.GetAsync("/api/sales/golden-sale"));
        await AssertGoldenAsync("sale-no-sale", client.GetAsync("/api/sales/golden-no-such-sale"));
    }

    [Fact]
    public async Task OrderAnswers()
    {
        await using var host = new ApiHost(redis, "golden-order", total: 5);
        var client = await host.StartAsync();
        var pending = await BuyAsync(client, host.SaleId, "alice");
        var paid = await BuyAsync(client, host.SaleId, "bob");
        (await PayAsync(client, host.SaleId, paid, "bob", "pay-1")).Dispose();

        await AssertGoldenAsync("order-pending", client.GetOrderAsAsync("golden-order", pending, "alice"));
        await AssertGoldenAsync("order-paid", client.GetOrderAsAsync("golden-order", paid, "bob"));
        await AssertGoldenAsync("order-no-order", client.GetOrderAsAsync("golden-order", "no-such-order", "alice"));
        // Someone else's order answers as a missing one.
        await AssertGoldenAsync("order-of-another-buyer", client.GetOrderAsAsync("golden-order", pending, "bob"));
        await AssertGoldenAsync("order-without-token", client.GetAsync($"/api/sales/golden-order/orders/{pending}"));
        await AssertGoldenAsync("buyer-order", client.GetMyOrderAsync("golden-order", "alice"));
        await AssertGoldenAsync("buyer-order-none", client.GetMyOrderAsync("golden-order", "nobody"));
    }

    [Fact]
    public async Task PaymentAnswers()
    {
        await using var host = new ApiHost(redis, "golden-payment", total: 5);
        var client = await host.StartAsync();
        var order = await BuyAsync(client, host.SaleId, "alice");

        await AssertGoldenAsync("payment-paid", PayAsync(client, host.SaleId, order, "alice", "pay-1"));
        await AssertGoldenAsync("payment-of-another-buyer", PayAsync(client, host.SaleId, order, "mallory", "pay-2"));
        await AssertGoldenAsync("payment-no-order", PayAsync(client, host.SaleId, "no-such-order", "alice", "pay-3"));
    }

    [Fact]
    public async Task ExpiredOrderAnswers()
    {
        await using var host = new ApiHost(redis, "golden-expired", total: 1,
            settings: new Dictionary<string, string?> { ["Spike:PaymentWindow"] = "00:00:01" });
        var client = await host.StartAsync();
        var order = await BuyAsync(client, host.SaleId, "alice");
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        // Paying past the deadline expires the order on the spot.
        await AssertGoldenAsync("payment-order-expired", PayAsync(client, host.SaleId, order, "alice", "pay-1"));
        await AssertGoldenAsync("order-expired", client.GetOrderAsAsync("golden-expired", order, "alice"));
    }

    [Fact]
    public async Task AdminAnswers()
    {
        await using var host = new ApiHost(redis, "golden-admin", total: 5);
        var client = await host.StartAsync();
        (await HttpContractTests.BuyAsync(client, host.SaleId, "alice")).Dispose();

        using var read = await client.GetAsync("/api/sales/golden-admin");

        await AssertGoldenAsync("put-sale-precondition-required", client.SendAsync(Put("golden-admin", """{"total":7}""", ApiHost.AdminKey)));
        await AssertGoldenAsync("put-sale", client.SendAsync(Put("golden-admin", """{"total":7}""", ApiHost.AdminKey, read.Headers.ETag)));
        await AssertGoldenAsync("put-sale-precondition-failed", client.SendAsync(Put("golden-admin", """{"total":7}""", ApiHost.AdminKey, read.Headers.ETag)));
        await AssertGoldenAsync("put-sale-admin-key-required", client.SendAsync(Put("golden-admin", """{"total":7}""", adminKey: null)));
        await AssertGoldenAsync("put-sale-wrong-admin-key", client.SendAsync(Put("golden-admin", """{"total":7}""", "not-the-key")));
    }

    [Fact]
    public async Task AdminDisabledAnswer()
    {
        await using var host = new ApiHost(redis, "golden-admin-off", settings: new Dictionary<string, string?> { ["Spike:AdminKey"] = "" });
        var client = await host.StartAsync();

        await AssertGoldenAsync("put-sale-admin-disabled", client.SendAsync(Put("golden-admin-off", """{"total":7}""", ApiHost.AdminKey)));
    }

    [Fact]
    public async Task SeedAnswers()
    {
        // The seed routes sell the default sale, which here is this host's sale.
        await using var host = new ApiHost(redis, "golden-seed", total: 2);
        var client = await host.StartAsync();

        await AssertGoldenAsync("buy-skill-sold", client.GetAsync("/buy/skill"));
        await AssertGoldenAsync("buy-ticket-sold", client.GetAsync("/buy/ticket"));
        // Redis said "sold out" when the last unit went: these carry the Cache-Control shared caches may act on.
        await AssertGoldenAsync("buy-skill-sold-out", client.GetAsync("/buy/skill"));
        await AssertGoldenAsync("buy-ticket-sold-out", client.GetAsync("/buy/ticket"));
    }

    [Fact]
    public async Task UnavailableAnswers()
    {
        await using var ownRedis = new RedisServerProcess();
        await ownRedis.StartAsync();
        await using var host = new ApiHost(ownRedis, "golden-unavailable", total: 5);
        var client = await host.StartAsync();

        ownRedis.Kill();

        await AssertGoldenAsync("purchase-unavailable", HttpContractTests.BuyAsync(client, host.SaleId, "alice"));
        await AssertGoldenAsync("sale-unavailable", client.GetAsync("/api/sales/golden-unavailable"));
        await AssertGoldenAsync("buy-skill-busy", client.GetAsync("/buy/skill"));
    }

    [Fact]
    public async Task OverloadedAnswer()
    {
        // One purchase at a time and none waiting; a stalled Redis keeps the first in flight (its timeout far away) while
        // the second arrives.
        await using var ownRedis = new RedisServerProcess();
        await ownRedis.StartAsync();
        await using var host = new ApiHost(ownRedis, "golden-overloaded", total: 5, settings: new Dictionary<string, string?>
        {
            ["Spike:Admission:PermitLimit"] = "1",
            ["Spike:Admission:QueueLimit"] = "0",
            ["Spike:RedisTimeout"] = "00:00:30",
        });
        var client = await host.StartAsync();
        var registry = (SaleRegistry)host.Services.GetService(typeof(SaleRegistry))!;

        await ownRedis.SuspendAsync();
        var first = HttpContractTests.BuyAsync(client, host.SaleId, "alice");
        try
        {
            // Its unit is taken from the slice: it holds the only permit and waits on Redis.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (registry.Find(host.SaleId)!.Stock.Remaining == 5)
            {
                await Task.Delay(10, timeout.Token);
            }

            await AssertGoldenAsync("purchase-overloaded", HttpContractTests.BuyAsync(client, host.SaleId, "bob"));
        }
        finally
        {
            await ownRedis.ResumeAsync();
            (await first).Dispose();
        }
    }

    [Theory]
    [InlineData("purchase-invalid-sale-id", "POST", "/api/sales/a%20b/purchases", Json, """{"userId":"alice"}""")]
    [InlineData("purchase-invalid-user-id", "POST", "/api/sales/golden-refused/purchases", Json, """{"userId":"a b"}""")]
    [InlineData("purchase-other-user-id", "POST", "/api/sales/golden-refused/purchases", Json, """{"userId":"mallory"}""")]
    [InlineData("purchase-without-token", "POST", "/api/sales/golden-refused/purchases", null, null)]
    [InlineData("purchase-malformed-json", "POST", "/api/sales/golden-refused/purchases", Json, """{"userId":"ali""")]
    [InlineData("purchase-body-too-large", "POST", "/api/sales/golden-refused/purchases", Json, OverLimit)]
    [InlineData("purchase-unsupported-media-type", "POST", "/api/sales/golden-refused/purchases", "text/plain", """{"userId":"alice"}""")]
    [InlineData("payment-invalid-input", "POST", "/api/sales/golden-refused/orders/o-1/payment", Json, """{"userId":"alice"}""")]
    [InlineData("sale-invalid-sale-id", "GET", "/api/sales/a%7Bb", null, null)]
    [InlineData("put-sale-invalid-total", "PUT", "/api/sales/golden-refused", Json, """{"total":0}""")]
    [InlineData("unknown-route", "GET", "/api/nothing-here", null, null)]
    [InlineData("wrong-method", "GET", "/api/sales/golden-refused/purchases", null, null)]
    public async Task RefusedRequestAnswers(string golden, string method, string path, string? contentType, string? body)
    {
        await using var host = new ApiHost(redis, "golden-refused");
        var client = await host.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body == OverLimit ? new string('x', 16 * 1024 + 1) : body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        if (method == "PUT")
        {
            request.Headers.Add("X-Admin-Key", ApiHost.AdminKey);
        }
        else if (!golden.EndsWith("-without-token", StringComparison.Ordinal))
        {
            request.Headers.Authorization = TestBuyers.BearerFor("alice");
        }

        await AssertGoldenAsync(golden, client.SendAsync(request));
    }

    private static async Task AssertGoldenAsync(string golden, Task<HttpResponseMessage> answer)
    {
        using var response = await answer;
        await GoldenFiles.AssertMatchesAsync(golden, response);
    }

    private static async Task<string> BuyAsync(HttpClient client, string saleId, string userId)
    {
        using var response = await HttpContractTests.BuyAsync(client, saleId, userId);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PurchaseResponse>())!.OrderId;
    }

    private static Task<HttpResponseMessage> PayAsync(HttpClient client, string saleId, string orderId, string userId, string reference) =>
        client.PayAsAsync(saleId, orderId, userId, reference);

    private static HttpRequestMessage Put(string saleId, string body, string? adminKey, System.Net.Http.Headers.EntityTagHeaderValue? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/sales/{saleId}") { Content = new StringContent(body, Encoding.UTF8, Json) };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(ifMatch);
        }

        if (adminKey is not null)
        {
            request.Headers.Add("X-Admin-Key", adminKey);
        }

        return request;
    }
}
