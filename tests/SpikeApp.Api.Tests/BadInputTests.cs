using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.Api.Stock;
using SpikeApp.Store;
using SpikeApp.Testing;
using StackExchange.Redis;

namespace SpikeApp.Api.Tests;

/// <summary>
/// Hostile and malformed requests: each must get its status and problem type, never a 500, and change nothing —
/// not the sale in Redis, not a key, not a unit of this replica's slice.
/// </summary>
[Collection(SharedRedis.Name)]
public class BadInputTests(RedisServerFixture redis)
{
    private const string OneMegabyte = "@1MB";
    private const string Purchases = "/api/sales/{sale}/purchases";
    private const string Sale = "/api/sales/{sale}";
    private const string Payment = "/api/sales/{sale}/orders/{order}/payment";
    private const string Order = "/api/sales/{sale}/orders/{order}";
    private const string Buyer = "existing-buyer";
    private const string Anonymous = "X-No-Token: true";
    private const string Json = "application/json";

    public static TheoryData<string, string, string, string?, string?, string?, int, string> Cases => new()
    {
        // name, method, path, content type, body, header ("Header: value"; else the buyer routes get the buyer's token), status, problem type
        { "purchase without a token", "POST", Purchases, null, null, Anonymous, 401, ProblemTypes.Unauthenticated },
        { "purchase with the admin key as a token", "POST", Purchases, null, null, $"Authorization: Bearer {ApiHost.AdminKey}", 401, ProblemTypes.Unauthenticated },
        { "purchase naming another buyer", "POST", Purchases, Json, """{"userId":"mallory"}""", null, 400, ProblemTypes.InvalidInput },
        { "empty user id", "POST", Purchases, Json, """{"userId":""}""", null, 400, ProblemTypes.InvalidInput },
        { "65-character user id", "POST", Purchases, Json, $$"""{"userId":"{{new string('u', 65)}}"}""", null, 400, ProblemTypes.InvalidInput },
        { "user id with braces", "POST", Purchases, Json, """{"userId":"a{b}"}""", null, 400, ProblemTypes.InvalidInput },
        { "user id with star", "POST", Purchases, Json, """{"userId":"a*"}""", null, 400, ProblemTypes.InvalidInput },
        { "user id with colon", "POST", Purchases, Json, """{"userId":"a:b"}""", null, 400, ProblemTypes.InvalidInput },
        { "user id with space", "POST", Purchases, Json, """{"userId":"a b"}""", null, 400, ProblemTypes.InvalidInput },
        { "unicode user id", "POST", Purchases, Json, """{"userId":"用户"}""", null, 400, ProblemTypes.InvalidInput },
        { "control character in user id", "POST", Purchases, Json, """{"userId":"a\u0001b"}""", null, 400, ProblemTypes.InvalidInput },
        { "path traversal user id", "POST", Purchases, Json, """{"userId":"../../etc/passwd"}""", null, 400, ProblemTypes.InvalidInput },
        { "sale id with space", "POST", "/api/sales/a%20b/purchases", Json, """{"userId":"alice"}""", null, 400, ProblemTypes.InvalidInput },
        { "sale id with braces", "POST", "/api/sales/%7Bx%7D/purchases", Json, """{"userId":"alice"}""", null, 400, ProblemTypes.InvalidInput },
        { "sale id with colon and star", "POST", "/api/sales/a:b*/purchases", Json, """{"userId":"alice"}""", null, 400, ProblemTypes.InvalidInput },
        { "sale id path traversal", "POST", "/api/sales/..%2F..%2Fx/purchases", Json, """{"userId":"alice"}""", null, 400, ProblemTypes.InvalidInput },
        { "unicode sale id", "POST", "/api/sales/%E7%A7%92%E6%9D%80/purchases", Json, """{"userId":"alice"}""", null, 400, ProblemTypes.InvalidInput },
        { "65-character sale id", "POST", $"/api/sales/{new string('s', 65)}/purchases", Json, """{"userId":"alice"}""", null, 400, ProblemTypes.InvalidInput },
        { "non-JSON body", "POST", Purchases, Json, "userId=alice", null, 400, ProblemTypes.InvalidInput },
        { "JSON with a number for the user id", "POST", Purchases, Json, """{"userId":123}""", null, 400, ProblemTypes.InvalidInput },
        { "JSON array body", "POST", Purchases, Json, """["alice"]""", null, 400, ProblemTypes.InvalidInput },
        { "truncated JSON", "POST", Purchases, Json, """{"userId":"ali""", null, 400, ProblemTypes.InvalidInput },
        { "1 MB body", "POST", Purchases, Json, OneMegabyte, null, 413, ProblemTypes.BodyTooLarge },
        { "wrong content type", "POST", Purchases, "text/plain", """{"userId":"alice"}""", null, 415, ProblemTypes.UnsupportedMediaType },
        { "unknown sale", "POST", "/api/sales/no-such-sale/purchases", null, null, null, 404, ProblemTypes.NoSale },
        { "GET on the purchase route", "GET", Purchases, null, null, null, 405, ProblemTypes.MethodNotAllowed },
        { "DELETE on a sale", "DELETE", Sale, null, null, $"X-Admin-Key: {ApiHost.AdminKey}", 405, ProblemTypes.MethodNotAllowed },
        { "unknown route", "GET", "/api/nothing-here", null, null, null, 404, ProblemTypes.NotFound },
        { "admin negative total", "PUT", Sale, Json, """{"total":-5}""", $"X-Admin-Key: {ApiHost.AdminKey}", 400, ProblemTypes.InvalidInput },
        { "admin zero total", "PUT", Sale, Json, """{"total":0}""", $"X-Admin-Key: {ApiHost.AdminKey}", 400, ProblemTypes.InvalidInput },
        { "admin non-integer total", "PUT", Sale, Json, """{"total":1.5}""", $"X-Admin-Key: {ApiHost.AdminKey}", 400, ProblemTypes.InvalidInput },
        { "admin absurdly large total", "PUT", Sale, Json, """{"total":99999999999999999999}""", $"X-Admin-Key: {ApiHost.AdminKey}", 400, ProblemTypes.InvalidInput },
        { "admin total as a string", "PUT", Sale, Json, """{"total":"ten"}""", $"X-Admin-Key: {ApiHost.AdminKey}", 400, ProblemTypes.InvalidInput },
        { "admin missing total", "PUT", Sale, Json, "{}", $"X-Admin-Key: {ApiHost.AdminKey}", 400, ProblemTypes.InvalidInput },
        { "admin without key", "PUT", Sale, Json, """{"total":5}""", null, 401, ProblemTypes.AdminKeyRequired },
        { "admin with wrong key", "PUT", Sale, Json, """{"total":5}""", "X-Admin-Key: not-the-key", 401, ProblemTypes.AdminKeyRequired },
        { "admin with a key prefix", "PUT", Sale, Json, """{"total":5}""", $"X-Admin-Key: {ApiHost.AdminKey[..^1]}", 401, ProblemTypes.AdminKeyRequired },
        { "admin key in the wrong header", "PUT", Sale, Json, """{"total":5}""", $"Authorization: Bearer {ApiHost.AdminKey}", 401, ProblemTypes.AdminKeyRequired },
        { "admin invalid sale id", "PUT", "/api/sales/a%7Bb/", Json, """{"total":5}""", $"X-Admin-Key: {ApiHost.AdminKey}", 400, ProblemTypes.InvalidInput },
        { "payment naming another buyer", "POST", Payment, Json, """{"userId":"mallory","paymentReference":"p-1"}""", null, 400, ProblemTypes.InvalidInput },
        { "payment without a token", "POST", Payment, Json, """{"paymentReference":"p-1"}""", Anonymous, 401, ProblemTypes.Unauthenticated },
        { "payment without reference", "POST", Payment, Json, $$"""{"userId":"{{Buyer}}"}""", null, 400, ProblemTypes.InvalidInput },
        { "payment reference with a pipe", "POST", Payment, Json, $$"""{"userId":"{{Buyer}}","paymentReference":"a|b"}""", null, 400, ProblemTypes.InvalidInput },
        { "65-character payment reference", "POST", Payment, Json, $$"""{"userId":"{{Buyer}}","paymentReference":"{{new string('p', 65)}}"}""", null, 400, ProblemTypes.InvalidInput },
        { "payment with a number for the user id", "POST", Payment, Json, """{"userId":7,"paymentReference":"p-1"}""", null, 400, ProblemTypes.InvalidInput },
        { "payment with a non-JSON body", "POST", Payment, Json, "pay=please", null, 400, ProblemTypes.InvalidInput },
        { "payment as plain text", "POST", Payment, "text/plain", $$"""{"userId":"{{Buyer}}","paymentReference":"p-1"}""", null, 415, ProblemTypes.UnsupportedMediaType },
        { "payment of an order id with braces", "POST", "/api/sales/{sale}/orders/%7Bx%7D/payment", Json, $$"""{"userId":"{{Buyer}}","paymentReference":"p-1"}""", null, 400, ProblemTypes.InvalidInput },
        { "payment of an unknown order", "POST", "/api/sales/{sale}/orders/no-such-order/payment", Json, $$"""{"userId":"{{Buyer}}","paymentReference":"p-1"}""", null, 404, ProblemTypes.NoOrder },
        { "payment of another buyer's order", "POST", Payment, Json, """{"paymentReference":"p-1"}""", $"Authorization: Bearer {TestBuyers.TokenFor("mallory")}", 404, ProblemTypes.NoOrder },
        { "reading another buyer's order", "GET", Order, null, null, $"Authorization: Bearer {TestBuyers.TokenFor("mallory")}", 404, ProblemTypes.NoOrder },
        { "GET on the payment route", "GET", Payment, null, null, null, 405, ProblemTypes.MethodNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInputIsRefusedAndChangesNothing(
        string name, string method, string path, string? contentType, string? body, string? adminHeader, int status, string type)
    {
        await using var host = new ApiHost(redis, total: 5);
        var client = await host.StartAsync();
        var order = await (await HttpContractTests.BuyAsync(client, host.SaleId, Buyer)).Content.ReadFromJsonAsync<PurchaseResponse>();
        var before = await SnapshotAsync(host);

        using var request = new HttpRequestMessage(new HttpMethod(method),
            path.Replace("{sale}", host.SaleId, StringComparison.Ordinal).Replace("{order}", order!.OrderId, StringComparison.Ordinal));
        if (body is not null)
        {
            request.Content = new StringContent(body == OneMegabyte ? new string('x', 1024 * 1024) : body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        if (adminHeader?.Split(": ", 2) is [var header, var value])
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }
        else
        {
            request.Headers.Authorization = TestBuyers.BearerFor(Buyer);
        }

        var response = await client.SendAsync(request);

        Assert.True((int)response.StatusCode == status, $"{name}: expected {status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(type, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(before, await SnapshotAsync(host));
    }

    private async Task<int> CountKeysAsync(string pattern)
    {
        var count = 0;
        await foreach (var _ in redis.Server.KeysAsync(pattern: pattern))
        {
            count++;
        }

        return count;
    }

    /// <summary>Everything a request could have changed: the sale in Redis, the key count, this replica's slice.</summary>
    private async Task<string> SnapshotAsync(ApiHost host)
    {
        var db = redis.Connection.GetDatabase();
        var keys = SaleKeys.For(host.SaleId);
        var sale = await db.HashGetAllAsync(keys.Sale);
        var orders = await db.HashGetAllAsync(keys.Orders);
        var registry = (SaleRegistry)host.Services.GetService(typeof(SaleRegistry))!;
        var local = await registry.GetAsync(host.SaleId);
        return string.Join(';',
            string.Join(',', sale.OrderBy(entry => entry.Name.ToString()).Select(entry => $"{entry.Name}={entry.Value}")),
            await db.HashLengthAsync(keys.Buyers),
            string.Join(',', orders.Select(entry => $"{entry.Name}={entry.Value}")),
            await db.StreamLengthAsync(keys.Stream),
            // This sale's keys and the sale directory: other tests' presence keys expire meanwhile.
            await CountKeysAsync($"spike:{{{host.SaleId}}}:*"),
            await db.SetLengthAsync(SaleKeys.AllSales),
            local!.Stock.Remaining,
            local.Epoch);
    }
}
