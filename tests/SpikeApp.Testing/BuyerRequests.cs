using System.Net.Http.Json;

namespace SpikeApp.Testing;

/// <summary>What a buyer's client sends: each request with that buyer's bearer token, purchases with no body.</summary>
public static class BuyerRequests
{
    public static Task<HttpResponseMessage> BuyAsAsync(this HttpClient client, string saleId, string userId, CancellationToken cancellationToken = default) =>
        client.SendAsAsync(HttpMethod.Post, $"/api/sales/{saleId}/purchases", userId, content: null, cancellationToken);

    public static Task<HttpResponseMessage> GetOrderAsAsync(this HttpClient client, string saleId, string orderId, string userId, CancellationToken cancellationToken = default) =>
        client.SendAsAsync(HttpMethod.Get, $"/api/sales/{saleId}/orders/{orderId}", userId, content: null, cancellationToken);

    public static Task<HttpResponseMessage> GetMyOrderAsync(this HttpClient client, string saleId, string userId, CancellationToken cancellationToken = default) =>
        client.SendAsAsync(HttpMethod.Get, $"/api/sales/{saleId}/buyers/me/order", userId, content: null, cancellationToken);

    public static Task<HttpResponseMessage> PayAsAsync(this HttpClient client, string saleId, string orderId, string userId, string paymentReference, CancellationToken cancellationToken = default) =>
        client.SendAsAsync(HttpMethod.Post, $"/api/sales/{saleId}/orders/{orderId}/payment", userId, JsonContent.Create(new { paymentReference }), cancellationToken);

    public static async Task<HttpResponseMessage> SendAsAsync(this HttpClient client, HttpMethod method, string uri, string userId, HttpContent? content, CancellationToken cancellationToken = default)
    {
        using var request = TestBuyers.Request(method, uri, userId, content);
        return await client.SendAsync(request, cancellationToken);
    }
}
