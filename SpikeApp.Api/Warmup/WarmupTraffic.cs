using System.Net;
using System.Net.Http.Headers;
using SpikeApp.Buyers;
using SpikeApp.Contracts.Buy;

namespace SpikeApp.Api.Warmup;

/// <summary>
/// Real requests to this replica's own address, over keep-alive connections as a crowd sends them: the seed route, the
/// buyers' purchase route (with tokens when this replica holds a signing key) and the sale's state, all on the scratch
/// sale. Once it is sold out, the same routes exercise the "sold out" answers a crowd meets after the end.
/// </summary>
internal sealed class WarmupTraffic(Uri address, string saleId, BuyerTokenMinter? minter, int admitted, bool seedRoutes)
{
    /// <summary>Enough connections and requests in flight to start the thread pool and Kestrel the way a crowd does.</summary>
    private const int MaxConcurrency = 16;

    /// <summary>Never more than admission lets in at once, so the warm-up is not turned away (429) by its own replica.</summary>
    private readonly int _concurrency = Math.Clamp(admitted, 1, MaxConcurrency);

    /// <summary>Sends <paramref name="requests"/> requests; throws on any answer a healthy replica would not give.</summary>
    public async Task<int> SendAsync(int requests, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = _concurrency, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        var next = -1;
        var sold = 0;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(_concurrency, requests)).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                if (await SendOneAsync(client, i, cancellationToken))
                {
                    Interlocked.Increment(ref sold);
                }
            }
        }));

        return sold;
    }

    /// <summary>True when the request bought a unit of the scratch sale.</summary>
    private async Task<bool> SendOneAsync(HttpClient client, int index, CancellationToken cancellationToken)
    {
        // Without the seed's routes (Spike:SeedApi:Enabled off), their share goes to the buyers' purchase route.
        var kind = index % 4 is 0 or 1 && !seedRoutes ? 2 : index % 4;
        using var request = kind switch
        {
            0 or 1 => new HttpRequestMessage(HttpMethod.Get, "/buy/skill"),
            2 => Purchase(index),
            _ => new HttpRequestMessage(HttpMethod.Get, $"/api/sales/{saleId}"),
        };
        WarmupRequests.Mark(request);
        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        // A failing Redis answers "busy" or 503 here, other traffic may take admission's permits (429): the caller sees
        // either in the count of units sold.
        return (kind, response.StatusCode) switch
        {
            (_, HttpStatusCode.TooManyRequests) => false,
            (0 or 1, HttpStatusCode.OK) => body == SeedMessages.SoldBody,
            (2, HttpStatusCode.Created) => true,
            (2, HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable) => false,
            (2, HttpStatusCode.Unauthorized) when minter is null => false,
            (3, HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable) => false,
            _ => throw new InvalidOperationException(
                $"Warm-up request {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {body}"),
        };
    }

    private HttpRequestMessage Purchase(int index)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sales/{saleId}/purchases");
        if (minter is not null)
        {
            // One buyer per request: a buyer's own rate limit would otherwise answer most of them.
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", minter.Mint($"warmup-{index}", TimeSpan.FromMinutes(1)));
        }

        return request;
    }
}
