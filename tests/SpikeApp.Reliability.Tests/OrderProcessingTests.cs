using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SpikeApp.Testing;
using Xunit.Abstractions;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// Orders flow from Redis into PostgreSQL through the order processor (a real SpikeApp.Orders process), get paid or
/// expire, and Redis and PostgreSQL end up agreeing on every order — across a processor kill and a PostgreSQL outage.
/// Expiry goes on without any processor: the replicas run it too.
/// </summary>
[Collection(nameof(FaultTests))]
public class OrderProcessingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task AbandonedOrdersExpireAndAsLongAsBuyersComeEveryUnitEndsPaid()
    {
        const int total = 60;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, paymentWindow: "00:00:02");
        var buyers = 0;
        var abandoned = 0;

        // Waves of new buyers; 7 in 10 pay what they got, the rest walk away and their units come back after the window.
        while (!await orders.EveryUnitPaidAsync(total))
        {
            var wave = Enumerable.Range(buyers, 40).ToList();
            buyers += wave.Count;
            await Parallel.ForEachAsync(wave, timeout.Token, async (buyer, token) =>
            {
                var replica = orders.Cluster.Replicas[buyer % orders.Cluster.Replicas.Count];
                var purchase = await SpikeCluster.BuyAsync(replica, $"buyer-{buyer}", token);
                if (purchase.Status != HttpStatusCode.Created)
                {
                    return;
                }

                if (buyer % 10 < 7)
                {
                    using var paid = await replica.Client.PayAsAsync(SpikeCluster.SaleId, purchase.OrderId!, purchase.UserId, $"pay-{buyer}", token);
                    Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
                }
                else
                {
                    Interlocked.Increment(ref abandoned);
                }
            });
            await Task.Delay(500, timeout.Token);
        }

        var drained = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        var statuses = await orders.RedisStatusesAsync();
        output.WriteLine($"{buyers} buyers, {abandoned} abandoned their order; Redis: {OrdersCluster.Count(statuses)}; PostgreSQL agreed after {drained.TotalSeconds:0.0} s");
        Assert.Equal(total, statuses.Values.Count(status => status == "paid"));
        Assert.Equal(abandoned, statuses.Values.Count(status => status == "expired"));
        Assert.True(abandoned > 0);
        Assert.Equal(total, await orders.Cluster.SoldAsync());
    }

    [Fact]
    public async Task AProcessorKilledMidStreamLeavesEveryOrderInPostgresExactlyOnce()
    {
        const int total = 20_000;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, processorRunning: false, batchSize: 50);
        var crowd = new Crowd();
        await crowd.BuyAsync(Crowd.Buyers("buyer", total), buyer => orders.Cluster.Replicas[buyer % 2], 32, timeout.Token);
        Assert.Equal(total, crowd.Acknowledged.Count);

        await orders.Processor.StartAsync();
        while (await orders.PostgresCountAsync() < total / 10)
        {
            await Task.Delay(10, timeout.Token);
        }

        orders.Processor.Kill();
        var storedAtKill = await orders.PostgresCountAsync();
        // A second processor under another name: it must claim what the dead one was given and never acknowledged.
        using var successor = await orders.StartProcessorAsync("orders-successor");
        var drained = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        output.WriteLine($"Processor killed with {storedAtKill} of {total} orders stored; its successor finished {drained.TotalSeconds:0.0} s later");
        Assert.InRange(storedAtKill, total / 10, total - 1);
        Assert.Equal(total, await orders.PostgresCountAsync());
        Assert.Equal(crowd.Acknowledged.Values.Order(), (await orders.PostgresStatusesAsync()).Keys.Order());
    }

    [Fact]
    public async Task WhilePostgresIsDownPurchasesGoOnAndTheProcessorCatchesUpAfterwards()
    {
        const int total = 1000;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total);
        var before = new Crowd();
        await before.BuyAsync(Crowd.Buyers("before", 300), buyer => orders.Cluster.Replicas[buyer % 2], 16, timeout.Token);
        await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        orders.Postgres.Kill();
        var during = new Crowd();
        await during.BuyAsync(Crowd.Buyers("during", 300), buyer => orders.Cluster.Replicas[buyer % 2], 16, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(5), timeout.Token);
        await orders.Postgres.StartAsync();
        var drained = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);

        output.WriteLine($"PostgreSQL down 5 s: purchases meanwhile {during.Describe()}; stored after restart within {drained.TotalSeconds:0.0} s");
        Assert.Equal(300, during.Acknowledged.Count);
        Assert.Equal(600, await orders.PostgresCountAsync());
        Assert.InRange(drained, TimeSpan.Zero, OrdersCluster.DrainLimit);
    }

    [Fact]
    public async Task WithEveryProcessorDownTheReplicasStillExpireUnpaidOrders()
    {
        const int total = 20, payers = 12;
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var orders = await OrdersCluster.StartAsync(total, paymentWindow: "00:00:03");
        var replicas = orders.Cluster.Replicas;
        orders.Processor.Kill();

        var bought = new Crowd();
        await bought.BuyAsync(Crowd.Buyers("buyer", total), buyer => replicas[buyer % 2], 8, timeout.Token);
        var abandonedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal(total, bought.Acknowledged.Count);
        var buyers = bought.Acknowledged.OrderBy(order => order.Key, StringComparer.Ordinal).ToList();
        foreach (var (userId, orderId) in buyers.Take(payers))
        {
            using var paid = await replicas[0].Client.PayAsAsync(SpikeCluster.SaleId, orderId, userId, $"pay-{userId}", timeout.Token);
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }

        // Nobody but the replicas can expire the rest: their units come back on sale after the payment window.
        while ((await orders.RedisStatusesAsync()).Values.Count(status => status == "expired") < total - payers)
        {
            await Task.Delay(50, timeout.Token);
        }

        var expiredAfter = System.Diagnostics.Stopwatch.GetElapsedTime(abandonedAt);
        var statuses = await orders.RedisStatusesAsync();
        Assert.Equal(payers, statuses.Values.Count(status => status == "paid"));
        Assert.Equal(total - payers, statuses.Values.Count(status => status == "expired"));
        Assert.Equal(payers, await orders.Cluster.SoldAsync());
        Assert.All(buyers.Skip(payers), order => Assert.Equal("expired", statuses[order.Value]));
        Assert.All(replicas, replica => Assert.True(replica.IsRunning));

        // Each expiry told the replicas (a change message): they sell again what they had known as sold out.
        foreach (var replica in replicas)
        {
            while ((await replica.Client.GetFromJsonAsync<JsonElement>($"/api/sales/{SpikeCluster.SaleId}", timeout.Token))
                .GetProperty("replica").GetProperty("soldOutKnown").GetBoolean())
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        // A buyer whose replica's slice is dry while the other replica still holds units hears 503 refill-pending and
        // tries again, as the API asks: only the final answers must add up.
        var again = new Crowd();
        await again.BuyRetryingAsync(Crowd.Buyers("second-chance", total), buyer => replicas[buyer % 2], 8, timeout.Token);
        output.WriteLine($"Second chance: {again.Describe()}");
        Assert.Equal(total - payers, again.Acknowledged.Count);
        Assert.Equal(payers, again.Answers.GetValueOrDefault("409"));
        Assert.Empty(again.UnexpectedAnswers);
        Assert.Equal(total, await orders.Cluster.SoldAsync());

        // A processor back later stores what happened meanwhile.
        await orders.Processor.StartAsync();
        var drained = await orders.WaitUntilPostgresAgreesAsync(timeout.Token);
        output.WriteLine($"No processor: {total - payers} unpaid orders expired by the replicas {expiredAfter.TotalSeconds:0.0} s after the last purchase " +
            $"(payment window 3 s, expiry interval {OrdersCluster.ExpiryInterval}); a processor started later stored all {total + total - payers} orders within {drained.TotalSeconds:0.0} s");
        Assert.Equal(total + total - payers, await orders.PostgresCountAsync());
    }
}
