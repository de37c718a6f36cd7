using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using Xunit.Abstractions;

using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

[Collection(SharedRedis.Name)]
public class OverloadTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int PermitLimit = 4, QueueLimit = 4, Flood = 10 * (PermitLimit + QueueLimit), Requests = 4000, Total = 2000, WarmupPurchases = 50;

    /// <summary>What a buyer admitted under a 10x flood may wait at most (99th percentile).</summary>
    private static readonly TimeSpan AcceptedP99Bound = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task AFloodAtTenTimesTheLimitIsShedWith429()
    {
        await using var host = NewHost();
        var client = await host.StartAsync();

        var flood = await FloodAsync(client, host.SaleId);

        Assert.Empty(flood.Statuses.Keys.Except([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.TooManyRequests]));
        Assert.True(flood.Statuses.GetValueOrDefault(HttpStatusCode.TooManyRequests) > 0, $"No request was shed: {string.Join(", ", flood.Statuses)}");
        Assert.Equal(Requests, flood.Statuses.Values.Sum());
        Assert.All(flood.ShedRetryAfters, retryAfter => Assert.Equal(TimeSpan.FromSeconds(1), retryAfter));
        var sale = (await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}"))!;
        Assert.Equal(flood.Statuses.GetValueOrDefault(HttpStatusCode.Created) + WarmupPurchases, sale.Sold);
        Assert.Equal(sale.Replica.Slice - sale.Sold, sale.Replica.SliceRemaining);
    }

    [Fact]
    public async Task UnderAFloodAtTenTimesTheLimitAdmittedBuyersStayFast()
    {
        await using var host = NewHost();
        var client = await host.StartAsync();

        var flood = await FloodAsync(client, host.SaleId);

        var sorted = flood.AdmittedLatencies.Order().ToList();
        var p99 = sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
        output.WriteLine($"Answers: {string.Join(", ", flood.Statuses.OrderBy(entry => entry.Key))}; admitted p99 {p99.TotalMilliseconds:F1} ms");
        Assert.True(p99 < AcceptedP99Bound, $"Admitted p99 {p99.TotalMilliseconds:F1} ms; answers {string.Join(", ", flood.Statuses)}");
    }

    private ApiHost NewHost() => new(redis, total: Total, settings: new Dictionary<string, string?>
    {
        ["Spike:Admission:PermitLimit"] = PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Spike:Admission:QueueLimit"] = QueueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    /// <summary><see cref="Requests"/> purchases, <see cref="Flood"/> in flight at once, after a warm-up of <see cref="WarmupPurchases"/>.</summary>
    private static async Task<FloodResult> FloodAsync(HttpClient client, string saleId)
    {
        // Warm up (JIT, connection pool) so the measurement is of admission, not of a cold process.
        for (var warmup = 0; warmup < WarmupPurchases; warmup++)
        {
            (await HttpContractTests.BuyAsync(client, saleId, $"warmup-{warmup}")).Dispose();
        }

        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var admittedLatencies = new ConcurrentBag<TimeSpan>();
        var shedRetryAfters = new ConcurrentBag<TimeSpan?>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await Parallel.ForEachAsync(Enumerable.Range(0, Requests),
            new ParallelOptions { MaxDegreeOfParallelism = Flood, CancellationToken = timeout.Token },
            async (buyer, token) =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.BuyAsAsync(saleId, $"buyer-{buyer}", token);
                var elapsed = Stopwatch.GetElapsedTime(started);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    admittedLatencies.Add(elapsed);
                }
                else
                {
                    shedRetryAfters.Add(response.Headers.RetryAfter?.Delta);
                }
            });

        return new FloodResult(statuses, [.. admittedLatencies], [.. shedRetryAfters]);
    }

    private sealed record FloodResult(
        IReadOnlyDictionary<HttpStatusCode, int> Statuses, IReadOnlyList<TimeSpan> AdmittedLatencies, IReadOnlyList<TimeSpan?> ShedRetryAfters);
}
