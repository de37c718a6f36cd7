using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SpikeApp.Api.Sales;
using Xunit.Abstractions;

namespace SpikeApp.Api.Tests;

[Collection(SharedRedis.Name)]
public class OverloadTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int PermitLimit = 4, QueueLimit = 4, Flood = 10 * (PermitLimit + QueueLimit), Requests = 4000, Total = 2000;

    /// <summary>What a buyer admitted under a 10x flood may wait at most (99th percentile).</summary>
    private static readonly TimeSpan AcceptedP99Bound = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task AFloodAtTenTimesTheLimitIsShedWith429AndAdmittedBuyersStayFast()
    {
        await using var host = new ApiHost(redis, total: Total, settings: new Dictionary<string, string?>
        {
            ["Spike:Admission:PermitLimit"] = PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Spike:Admission:QueueLimit"] = QueueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var client = await host.StartAsync();
        // Warm up (JIT, connection pool) so the measurement is of admission, not of a cold process.
        for (var warmup = 0; warmup < 50; warmup++)
        {
            (await HttpContractTests.BuyAsync(client, host.SaleId, $"warmup-{warmup}")).Dispose();
        }

        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var admittedLatencies = new ConcurrentBag<TimeSpan>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await Parallel.ForEachAsync(Enumerable.Range(0, Requests),
            new ParallelOptions { MaxDegreeOfParallelism = Flood, CancellationToken = timeout.Token },
            async (buyer, token) =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync($"/api/sales/{host.SaleId}/purchases", new PurchaseRequest($"buyer-{buyer}"), token);
                var elapsed = Stopwatch.GetElapsedTime(started);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    admittedLatencies.Add(elapsed);
                }
                else
                {
                    Assert.Equal("1", response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            });

        Assert.Empty(statuses.Keys.Except([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.TooManyRequests]));
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.TooManyRequests) > 0, $"No request was shed: {string.Join(", ", statuses)}");
        Assert.Equal(Requests, statuses.Values.Sum());
        var sorted = admittedLatencies.Order().ToList();
        var p99 = sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
        output.WriteLine($"Answers: {string.Join(", ", statuses.OrderBy(entry => entry.Key))}; admitted p99 {p99.TotalMilliseconds:F1} ms");
        Assert.True(p99 < AcceptedP99Bound, $"Admitted p99 {p99.TotalMilliseconds:F1} ms; answers {string.Join(", ", statuses)}");

        var sale = (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}"))!;
        Assert.Equal(statuses.GetValueOrDefault(HttpStatusCode.Created) + 50, sale.Sold);
        Assert.Equal(sale.Replica.Slice - sale.Sold, sale.Replica.SliceRemaining);
    }
}
