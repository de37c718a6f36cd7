using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Tests;

public class LoadRunnerTests
{
    private const string SaleId = "s1";

    [Fact]
    public async Task NeverMoreThanConcurrencyRequestsAreInFlight()
    {
        await using var run = await RunShopAsync();

        Assert.Equal(4, run.Shop.MaxInFlight);
    }

    [Fact]
    public async Task EveryAnswerIsCounted()
    {
        await using var run = await RunShopAsync();

        Assert.Equal(40, run.Result.Requests);
        Assert.Equal(StopReason.Count, run.Result.StoppedBy);
        // Buyer i mod 10: the first 5 buyers to arrive buy, each comes back 3 times to find their order; the rest find none left.
        Assert.Equal(new OutcomeCounts { [Outcome.Success] = 5, [Outcome.ExistingOrder] = 15, [Outcome.SoldOut] = 20 }, run.Result.Outcomes);
        Assert.Equal(40, run.Result.Latency.Count);
    }

    [Fact]
    public async Task EachOrderIsRecordedOnceUnderItsBuyer()
    {
        await using var run = await RunShopAsync();

        Assert.Equal(5, run.Orders.Buyers);
        Assert.Empty(run.Orders.Conflicts());
        Assert.All(run.Orders.Orders(), order => Assert.StartsWith("lg-t1-", order.UserId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhatARunRecordsPassesTheInvariantChecks()
    {
        await using var run = await RunShopAsync();
        var evidence = new RunEvidence(SaleId, LoadMode.Api, Shared: false, run.Result.Outcomes[Outcome.Success], run.Result.Outcomes.Uncertain,
            run.Orders, new SaleSnapshot(SaleId, 5, 0, 5, false, 1), Concurrency: 4);

        var invariants = await new InvariantChecker(run.Api.Client).CheckAsync(evidence, CancellationToken.None);

        Assert.Equal(0, invariants.ExitCode);
    }

    [Fact]
    public async Task ARequestBeyondTheTimeoutIsUnanswered()
    {
        await using var api = await StubApi.StartAsync(app => app.MapGet("/buy/skill", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            return Results.Ok();
        }));
        var options = Options(requests: 2, concurrency: 2, users: null);
        options.Mode = LoadMode.Seed;
        options.Timeout = TimeSpan.FromMilliseconds(200);

        var result = await new LoadRunner(api.Client, options).RunAsync(LoadPhase.Run(options, "t2"), new RunCounters(), new OrderBook(), CancellationToken.None);

        Assert.Equal(2, result.Outcomes[Outcome.Unanswered]);
        Assert.Equal(2, result.Outcomes.Total);
        Assert.Equal(new Dictionary<string, long> { ["timeout"] = 2 }, result.Problems);
        Assert.Equal(0, result.Latency.Count);
    }

    [Fact]
    public async Task TheDurationStopsARunBeforeItsCount()
    {
        await using var api = await StubApi.StartAsync(app => app.MapGet("/buy/skill", async () =>
        {
            await Task.Delay(50);
            return Results.Text("""{"code":-1,"msg":"已售罄"}""", "application/json");
        }));
        var options = Options(requests: 1_000_000, concurrency: 2, users: null);
        options.Mode = LoadMode.Seed;
        options.Duration = TimeSpan.FromMilliseconds(300);

        var result = await new LoadRunner(api.Client, options).RunAsync(LoadPhase.Run(options, "t3"), new RunCounters(), new OrderBook(), CancellationToken.None);

        Assert.Equal(StopReason.Duration, result.StoppedBy);
        Assert.InRange(result.Requests, 2, 40);
        Assert.Equal(result.Requests, result.Outcomes[Outcome.SoldOut]);
    }

    /// <summary>40 purchases by 10 buyers, 4 at a time, from a shop with 5 units.</summary>
    private static async Task<ShopRun> RunShopAsync()
    {
        var shop = new StubShop(stock: 5, delay: TimeSpan.FromMilliseconds(20));
        var api = await StubApi.StartAsync(shop.Map);
        var options = Options(requests: 40, concurrency: 4, users: 10);
        var orders = new OrderBook();
        var result = await new LoadRunner(api.Client, options).RunAsync(LoadPhase.Run(options, "t1"), new RunCounters(), orders, CancellationToken.None);
        return new ShopRun(api, shop, result, orders);
    }

    private static LoadGenOptions Options(int requests, int concurrency, int? users) => new()
    {
        Url = new Uri("http://127.0.0.1/"),
        Requests = requests,
        Concurrency = concurrency,
        Users = users,
        Sale = SaleId,
    };

    private sealed record ShopRun(StubApi Api, StubShop Shop, PhaseResult Result, OrderBook Orders) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }

    /// <summary>The purchase contract in miniature: one order per buyer, 201 then 200, 409 sold-out once the stock is gone.</summary>
    private sealed class StubShop(int stock, TimeSpan delay)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, string> _orderByUser = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> _userByOrder = new(StringComparer.Ordinal);
        private int _inFlight;
        private int _maxInFlight;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public void Map(WebApplication app)
        {
            app.MapPost("/api/sales/{saleId}/purchases", PurchaseAsync);
            app.MapGet("/api/sales/{saleId}", () => Results.Text(
                $$"""{"saleId":"{{SaleId}}","total":{{stock}},"sold":{{_userByOrder.Count}},"remaining":0,"soldOut":true,"epoch":1}""", "application/json"));
            app.MapGet("/api/sales/{saleId}/orders/{orderId}", (string orderId) => _userByOrder.TryGetValue(orderId, out var userId)
                ? Results.Text($$"""{"orderId":"{{orderId}}","saleId":"{{SaleId}}","userId":"{{userId}}"}""", "application/json")
                : Results.NotFound());
        }

        private async Task<IResult> PurchaseAsync(string saleId, HttpRequest request)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, inFlight);
            try
            {
                await Task.Delay(delay);
                using var body = await JsonDocument.ParseAsync(request.Body);
                var userId = body.RootElement.GetProperty("userId").GetString()!;
                lock (_lock)
                {
                    var order = $$"""{"orderId":"{0}","saleId":"{{saleId}}","userId":"{{userId}}"}""";
                    if (_orderByUser.TryGetValue(userId, out var existing))
                    {
                        return Results.Text(order.Replace("{0}", existing, StringComparison.Ordinal), "application/json", statusCode: 200);
                    }

                    if (_orderByUser.Count == stock)
                    {
                        return Results.Text("""{"type":"urn:spikeapp:problem:sold-out","status":409}""", "application/problem+json", statusCode: 409);
                    }

                    var orderId = $"1-{_orderByUser.Count + 1}";
                    _orderByUser[userId] = orderId;
                    _userByOrder[orderId] = userId;
                    return Results.Text(order.Replace("{0}", orderId, StringComparison.Ordinal), "application/json", statusCode: 201);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int location, int value)
        {
            var current = Volatile.Read(ref location);
            while (value > current && Interlocked.CompareExchange(ref location, value, current) != current)
            {
                current = Volatile.Read(ref location);
            }
        }
    }
}
