using System.Net;
using System.Net.Http.Json;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.Store;
using SpikeApp.Testing;
using Xunit.Abstractions;

namespace SpikeApp.Api.Tests;

/// <summary>The slice is a gate, not an allocation: a replica whose slice ran dry sells whatever Redis still has.</summary>
[Collection(SharedRedis.Name)]
public class SliceRefillTests(RedisServerFixture redis, ITestOutputHelper output)
{
    /// <summary>No gap between refills, so buyers in a row meet a refilled slice every time and the outcome is exact.</summary>
    private static readonly Dictionary<string, string?> NoRefillGap = new() { ["Spike:RefillInterval"] = "00:00:00" };

    [Fact]
    public async Task OneReplicaOfThreeSellsTheWholeSaleByRefillingItsSlice()
    {
        // Three replicas share the sale, so this one's first slice is 40 of 100; the other two never sell.
        await using var host = new ApiHost(redis, total: 100, replicas: 3, bufferRatio: 0.2, settings: NoRefillGap);
        var client = await host.StartAsync();

        var statuses = new List<HttpStatusCode>();
        for (var buyer = 0; buyer < 150; buyer++)
        {
            statuses.Add((await HttpContractTests.BuyAsync(client, host.SaleId, $"buyer-{buyer}")).StatusCode);
        }

        var sale = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Created, 100), statuses.Take(100));
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Conflict, 50), statuses.Skip(100));
        Assert.Equal((100, 100, 100L), (sale!.Sold, sale.Replica.SoldHere, sale.SoldByReplica["replica-test"]));
        Assert.InRange(sale.Replica.Slice, 100, 100 + 40);
        Assert.True(sale.Replica.SoldOutKnown);
    }

    [Fact]
    public async Task ASoldOutReplicaSellsUnitsThatCameBackWithinOneReconcileInterval()
    {
        await using var host = new ApiHost(redis, total: 5, settings: new Dictionary<string, string?> { ["Spike:ReconcileInterval"] = "00:00:00.200" });
        var client = await host.StartAsync();
        for (var buyer = 0; buyer < 5; buyer++)
        {
            Assert.Equal(HttpStatusCode.Created, (await HttpContractTests.BuyAsync(client, host.SaleId, $"buyer-{buyer}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await HttpContractTests.BuyAsync(client, host.SaleId, "early")).StatusCode);

        // A unit comes back with no message sent (as if an order expired and the message was lost): only the periodic check can tell.
        await redis.Connection.GetDatabase().HashIncrementAsync(SaleKeys.For(host.SaleId).Sale, "sold", -1);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        var attempt = 0;
        do
        {
            await Task.Delay(50);
            status = (await HttpContractTests.BuyAsync(client, host.SaleId, $"late-{attempt++}")).StatusCode;
        }
        while (status == HttpStatusCode.Conflict && waited.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.InRange(waited.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task BuyersOfADrySliceAreNeverToldSoldOutWhileRedisHasStock()
    {
        // One unit per refill and a whole second between refills: ten buyers at once outrun the slice nine times over.
        await using var host = new ApiHost(redis, total: 10, settings: new Dictionary<string, string?>
        {
            ["Spike:SliceSize"] = "1",
            ["Spike:RefillInterval"] = "00:00:01",
        });
        var client = await host.StartAsync();

        var started = System.Diagnostics.Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(buyer => BuyUntilDecidedAsync(client, host.SaleId, $"buyer-{buyer}")));
        output.WriteLine($"10 buyers, slice 1, a refill per second: all decided in {started.Elapsed.TotalSeconds:0.0} s after {answers.Sum(answer => answer.Retried.Count)} answers of 503 refill-pending");

        var after = await HttpContractTests.BuyAsync(client, host.SaleId, "after");
        var sale = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Created, 10), answers.Select(answer => answer.Final));
        Assert.All(answers.SelectMany(answer => answer.Retried), status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        Assert.Equal((HttpStatusCode.Conflict, 10L), (after.StatusCode, sale!.Sold));
    }

    [Fact]
    public void AStaleAnswerAppliedAfterANewerOneDoesNotMarkARestockedSaleSoldOut()
    {
        var sale = new Stock.LocalSale("s", epoch: 1, slice: 0);
        sale.Apply(new SaleState(Total: 5, Sold: 5, Epoch: 1, Seq: 7), open: true);
        sale.Apply(new SaleState(Total: 5, Sold: 4, Epoch: 1, Seq: 9), open: true);

        // Written before the unit came back, read after: Redis' order says it is older.
        sale.Apply(new SaleState(Total: 5, Sold: 5, Epoch: 1, Seq: 8), open: true);
        sale.MarkSoldOutInRedis(seq: 8);

        Assert.False(sale.SoldOutInRedis);
    }

    /// <summary>Retries a 503 as a client honouring <c>Retry-After</c> would, within a bound; the first other answer decides.</summary>
    private static async Task<(HttpStatusCode Final, List<HttpStatusCode> Retried)> BuyUntilDecidedAsync(HttpClient client, string saleId, string userId)
    {
        var retried = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 30; attempt++)
        {
            using var response = await HttpContractTests.BuyAsync(client, saleId, userId);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return (response.StatusCode, retried);
            }

            retried.Add(response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>();
            Assert.Equal((Contracts.Problems.ProblemTypes.RefillPending, "1"), (problem!.Type, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return (HttpStatusCode.ServiceUnavailable, retried);
    }
}
