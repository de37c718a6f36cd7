using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

[Collection(SharedRedis.Name)]
public class HttpContractTests(RedisServerFixture redis)
{
    [Fact]
    public async Task APurchaseCreatesAnOrderAtItsLocation()
    {
        await using var host = new ApiHost(redis, total: 5);
        var client = await host.StartAsync();

        var created = await BuyAsync(client, host.SaleId, "alice");
        var order = await created.Content.ReadFromJsonAsync<PurchaseResponse>();
        var stored = await (await client.GetOrderAsAsync(host.SaleId, order!.OrderId, "alice")).Content.ReadFromJsonAsync<Order>();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/sales/{host.SaleId}/orders/{order.OrderId}", created.Headers.Location!.OriginalString);
        Assert.Equal(("alice", "replica-test", order.OrderId), (stored!.UserId, stored.ReplicaId, stored.OrderId));
        Assert.Equal(1, (await GetSaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task ABuyerWhoBuysAgainGetsTheSameOrder()
    {
        await using var host = new ApiHost(redis, total: 5);
        var client = await host.StartAsync();
        var order = await (await BuyAsync(client, host.SaleId, "alice")).Content.ReadFromJsonAsync<PurchaseResponse>();

        var again = await BuyAsync(client, host.SaleId, "alice");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(order, await again.Content.ReadFromJsonAsync<PurchaseResponse>());
        Assert.Equal(1, (await GetSaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task ABuyerCanLookUpTheOrderTheyHoldEvenAfterSellOut()
    {
        await using var host = new ApiHost(redis, total: 1);
        var client = await host.StartAsync();
        var bought = await (await BuyAsync(client, host.SaleId, "alice")).Content.ReadFromJsonAsync<PurchaseResponse>();
        var retry = await BuyAsync(client, host.SaleId, "alice");

        var held = await (await client.GetMyOrderAsync(host.SaleId, "alice")).Content.ReadFromJsonAsync<Order>();

        // The retry met this replica's sold-out short-circuit (no Redis call); the lookup settles it.
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal((bought!.OrderId, "alice"), (held!.OrderId, held.UserId));
    }

    [Fact]
    public async Task LookingUpTheOrderOfABuyerWhoHoldsNoneIsNotFound()
    {
        await using var host = new ApiHost(redis, total: 1);
        var client = await host.StartAsync();
        await BuyAsync(client, host.SaleId, "alice");

        var none = await client.GetMyOrderAsync(host.SaleId, "bob");

        await AssertProblemAsync(none, HttpStatusCode.NotFound, ProblemTypes.NoOrder);
    }

    [Fact]
    public async Task SoldOutIsConflictWithTheSoldOutProblemType()
    {
        await using var host = new ApiHost(redis, total: 2);
        var client = await host.StartAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var user in new[] { "u1", "u2", "u3", "u4" })
        {
            statuses.Add((await BuyAsync(client, host.SaleId, user)).StatusCode);
        }

        var soldOut = await BuyAsync(client, host.SaleId, "u5");
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.Conflict], statuses);
        await AssertProblemAsync(soldOut, HttpStatusCode.Conflict, ProblemTypes.SoldOut);
        var sale = await GetSaleAsync(client, host.SaleId);
        Assert.Equal((2, 2, 0, true), (sale.Total, sale.Sold, sale.Remaining, sale.SoldOut));
    }

    [Fact]
    public async Task UnknownSaleIsNotFound()
    {
        await using var host = new ApiHost(redis);
        var client = await host.StartAsync();

        await AssertProblemAsync(await BuyAsync(client, "no-such-sale", "alice"), HttpStatusCode.NotFound, ProblemTypes.NoSale);
        await AssertProblemAsync(await client.GetAsync("/api/sales/no-such-sale"), HttpStatusCode.NotFound, ProblemTypes.NoSale);
    }

    [Fact]
    public async Task UnknownOrderIsNotFound()
    {
        await using var host = new ApiHost(redis);
        var client = await host.StartAsync();

        await AssertProblemAsync(await client.GetOrderAsAsync(host.SaleId, "9-9", "alice"), HttpStatusCode.NotFound, ProblemTypes.NoOrder);
    }

    [Theory]
    [InlineData("""{"userId":"a b"}""")]
    [InlineData("""{"userId":""}""")]
    [InlineData("""{"userId":"x{y}"}""")]
    [InlineData("""{"userId":"bob"}""")]
    [InlineData("""{"userId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}""")]
    public async Task ABodyNamingAnotherBuyerIsBadRequestAndSellsNothing(string body)
    {
        await using var host = new ApiHost(redis, total: 3);
        var client = await host.StartAsync();

        var response = await client.SendAsAsync(HttpMethod.Post, $"/api/sales/{host.SaleId}/purchases", "alice",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidInput);
        var sale = await GetSaleAsync(client, host.SaleId);
        Assert.Equal((0, 3), (sale.Sold, sale.Replica.SliceRemaining));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("""{}""")]
    [InlineData("""{"userId":"alice"}""")]
    public async Task ABuyerBuysWithNoBodyOrOneThatNamesThem(string? body)
    {
        await using var host = new ApiHost(redis, total: 3);
        var client = await host.StartAsync();

        var response = await client.SendAsAsync(HttpMethod.Post, $"/api/sales/{host.SaleId}/purchases", "alice",
            body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("alice", (await response.Content.ReadFromJsonAsync<PurchaseResponse>())!.UserId);
        Assert.Equal(1, (await GetSaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task AResetWithoutTheRightAdminKeyIsRefused()
    {
        await using var host = new ApiHost(redis, total: 4);
        var client = await host.StartAsync();
        await BuyAsync(client, host.SaleId, "alice");
        var before = (await GetSaleAsync(client, host.SaleId)).Epoch;

        var withoutKey = await client.PutAsJsonAsync($"/api/sales/{host.SaleId}", new SaleDefinition(7));
        using var wrongKey = ResetRequest(host.SaleId, total: 7, adminKey: "wrong");
        var withWrongKey = await client.SendAsync(wrongKey);
        var afterRefusals = await GetSaleAsync(client, host.SaleId);

        await AssertProblemAsync(withoutKey, HttpStatusCode.Unauthorized, ProblemTypes.AdminKeyRequired);
        await AssertProblemAsync(withWrongKey, HttpStatusCode.Unauthorized, ProblemTypes.AdminKeyRequired);
        Assert.Equal((4, 1, before), (afterRefusals.Total, afterRefusals.Sold, afterRefusals.Epoch));
    }

    [Fact]
    public async Task AResetWithTheAdminKeyStartsANewEpoch()
    {
        await using var host = new ApiHost(redis, total: 4);
        var client = await host.StartAsync();
        await BuyAsync(client, host.SaleId, "alice");
        var before = (await GetSaleAsync(client, host.SaleId)).Epoch;

        var reset = await ResetAsync(client, host.SaleId, total: 7);
        var afterReset = await GetSaleAsync(client, host.SaleId);
        var rebought = await BuyAsync(client, host.SaleId, "alice");

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal((7, 0, 7), (afterReset.Total, afterReset.Sold, afterReset.Replica.Slice));
        Assert.True(afterReset.Epoch > before, $"Epoch {afterReset.Epoch} after a reset of epoch {before}.");
        Assert.Equal(HttpStatusCode.Created, rebought.StatusCode);
    }

    [Fact]
    public async Task SeedEndpointsAlwaysAnswerOkWithTheSeedCodes()
    {
        await using var host = new ApiHost(redis, saleId: null, total: 2);
        var client = await host.StartAsync();
        // The seed routes sell the default sale, which here is this host's own sale.
        var codes = new List<int>();
        foreach (var path in new[] { "/buy/skill", "/buy/ticket", "/buy/skill", "/buy/ticket" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            codes.Add(json.RootElement.GetProperty("code").GetInt32());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("msg").GetString()));
        }

        Assert.Equal([1, 1, -1, -1], codes);
        Assert.Equal(2, (await GetSaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task OnlyASoldOutRedisConfirmedIsOfferedToSharedCaches()
    {
        await using var host = new ApiHost(redis, saleId: null, total: 2);
        var client = await host.StartAsync();

        var cacheControls = new List<string?>();
        foreach (var path in new[] { "/buy/skill", "/buy/skill", "/buy/skill", "/buy/ticket" })
        {
            using var response = await client.GetAsync(path);
            cacheControls.Add(response.Headers.CacheControl?.ToString());
        }

        using var restPurchase = await BuyAsync(client, host.SaleId, "alice");

        // Sold, sold, then "sold out" as Redis said when the last unit went: shared caches may repeat it for a second.
        Assert.Equal([null, null, "max-age=0, s-maxage=1", "max-age=0, s-maxage=1"], cacheControls);
        Assert.Equal(HttpStatusCode.Conflict, restPurchase.StatusCode);
        Assert.Null(restPurchase.Headers.CacheControl);
    }

    [Fact]
    public async Task ARestartNeverResetsARunningSale()
    {
        var saleId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        long epoch;
        await using (var first = new ApiHost(redis, saleId, total: 10))
        {
            var client = await first.StartAsync();
            epoch = (await GetSaleAsync(client, saleId)).Epoch;
            foreach (var user in new[] { "a", "b", "c" })
            {
                Assert.Equal(HttpStatusCode.Created, (await BuyAsync(client, saleId, user)).StatusCode);
            }
        }

        await using var second = new ApiHost(redis, saleId, total: 50);
        var restarted = await second.StartAsync();
        var sale = await GetSaleAsync(restarted, saleId);

        Assert.Equal((10, 3, epoch, 7), (sale.Total, sale.Sold, sale.Epoch, sale.Remaining));
    }

    [Fact]
    public async Task AResetMustNameTheEpochItEnds()
    {
        await using var host = new ApiHost(redis, total: 4);
        var client = await host.StartAsync();
        await BuyAsync(client, host.SaleId, "alice");
        var read = await client.GetAsync($"/api/sales/{host.SaleId}");

        using var withoutIfMatch = ResetRequest(host.SaleId, total: 7, ApiHost.AdminKey);
        var unnamed = await client.SendAsync(withoutIfMatch);
        var reset = await ResetAsync(client, host.SaleId, total: 7);
        using var retry = ResetRequest(host.SaleId, total: 7, ApiHost.AdminKey);
        retry.Headers.IfMatch.Add(read.Headers.ETag!);
        var retried = await client.SendAsync(retry);
        using var weak = ResetRequest(host.SaleId, total: 7, ApiHost.AdminKey);
        weak.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        var malformed = await client.SendAsync(weak);
        var rebought = await BuyAsync(client, host.SaleId, "bob");

        await AssertProblemAsync(unnamed, HttpStatusCode.PreconditionRequired, ProblemTypes.PreconditionRequired);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        await AssertProblemAsync(retried, HttpStatusCode.PreconditionFailed, ProblemTypes.PreconditionFailed);
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, ProblemTypes.InvalidInput);
        // The orders made after the reset survived the retried one.
        Assert.Equal(HttpStatusCode.Created, rebought.StatusCode);
        Assert.Equal(1, (await GetSaleAsync(client, host.SaleId)).Sold);
    }

    [Fact]
    public async Task AnOperatorCreatesANewSaleWithoutIfMatch()
    {
        await using var host = new ApiHost(redis, total: 4);
        var client = await host.StartAsync();
        var saleId = "s-" + Guid.NewGuid().ToString("N")[..12];

        using var create = ResetRequest(saleId, total: 3, ApiHost.AdminKey);
        var created = await client.SendAsync(create);
        var bought = await BuyAsync(client, saleId, "alice");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal($"\"{(await GetSaleAsync(client, saleId)).Epoch}\"", created.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
    }

    /// <summary>Resets the sale as an operator does: reads its ETag, then resets that epoch (If-Match).</summary>
    internal static async Task<HttpResponseMessage> ResetAsync(HttpClient client, string saleId, int total, string adminKey = ApiHost.AdminKey)
    {
        using var read = await client.GetAsync($"/api/sales/{saleId}");
        using var request = ResetRequest(saleId, total, adminKey);
        request.Headers.IfMatch.Add(read.Headers.ETag!);
        return await client.SendAsync(request);
    }

    internal static Task<HttpResponseMessage> BuyAsync(HttpClient client, string saleId, string userId) => client.BuyAsAsync(saleId, userId);

    internal static HttpRequestMessage ResetRequest(string saleId, int total, string adminKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/sales/{saleId}") { Content = JsonContent.Create(new SaleDefinition(total)) };
        request.Headers.Add("X-Admin-Key", adminKey);
        return request;
    }

    private static async Task<SaleResponse> GetSaleAsync(HttpClient client, string saleId) =>
        (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{saleId}"))!;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(type, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
    }
}
