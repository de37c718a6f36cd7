using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SpikeApp.Api.Breaker;
using SpikeApp.Contracts.Sales;
using SpikeApp.Store;

using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>
/// The Redis breaker of one replica, in process over its own redis-server (so it can be stalled). Timing bounds are
/// loose on purpose: they must hold on a loaded 2-core machine, and they still tell a breaker from none.
/// </summary>
[Collection(SharedRedis.Name)]
public class RedisBreakerTests
{
    private static readonly TimeSpan FastAnswer = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(2);

    /// <summary>What "at once" must stay under for every answer even while other work loads both cores; a 1 s timeout is far above.</summary>
    private static readonly TimeSpan AtOnceOnALoadedMachine = TimeSpan.FromMilliseconds(250);

    /// <summary>No periodic sync: a background answer from Redis would close the breaker before the test looks.</summary>
    private static readonly Dictionary<string, string?> NoReconcile = new() { ["Spike:ReconcileInterval"] = "00:01:00" };

    [Fact]
    public async Task FailuresInARowOpenTheBreakerAndAnyAnswerClosesIt()
    {
        await using var redis = await StartRedisAsync();
        await using var host = new ApiHost(redis, total: 10, settings: new Dictionary<string, string?>(NoReconcile) { ["Spike:Breaker:BreakDuration"] = "00:00:30" });
        var client = await host.StartAsync();
        var breaker = host.Services.GetRequiredService<RedisBreaker>();

        Fail(breaker, 2);
        breaker.Exit(Ticket(breaker), answered: true);
        Fail(breaker, 2);
        var closedAfterTwo = breaker.State;
        Fail(breaker, 1);

        Assert.Equal(BreakerState.Closed, closedAfterTwo);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out _));
        Assert.Equal("Degraded", await client.GetStringAsync("/health"));

        breaker.RecordAnswer();

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        Assert.Equal(HttpStatusCode.Created, (await HttpContractTests.BuyAsync(client, host.SaleId, "alice")).StatusCode);
    }

    [Fact]
    public async Task AnOpenBreakerAnswersPurchasesAtOnceWithoutRedisOrStock()
    {
        await using var redis = await StartRedisAsync();
        await using var host = new ApiHost(redis, total: 10, settings: new Dictionary<string, string?>(NoReconcile) { ["Spike:Breaker:BreakDuration"] = "00:00:30" });
        var client = await host.StartAsync();
        var breaker = host.Services.GetRequiredService<RedisBreaker>();
        (await HttpContractTests.BuyAsync(client, host.SaleId, "warm-up")).EnsureSuccessStatusCode();
        var before = await RedisStats.ReadAsync(redis.Connection);
        Fail(breaker, 3);

        var answers = new List<(HttpStatusCode Status, string? RetryAfter, TimeSpan Elapsed)>();
        for (var buyer = 0; buyer < 20; buyer++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await HttpContractTests.BuyAsync(client, host.SaleId, $"buyer-{buyer}");
            answers.Add((response.StatusCode, response.Headers.RetryAfter?.ToString(), Stopwatch.GetElapsedTime(started)));
        }

        using var order = await client.GetMyOrderAsync(host.SaleId, "warm-up");
        var after = await RedisStats.ReadAsync(redis.Connection);
        breaker.RecordAnswer();
        var sale = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}");

        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.ServiceUnavailable, "1"), (answer.Status, answer.RetryAfter)));
        AssertAtOnce(answers.Select(answer => answer.Elapsed));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, order.StatusCode);
        Assert.Equal(before.ScriptCalls, after.ScriptCalls);
        Assert.Equal(before.CallsTo("hget"), after.CallsTo("hget"));
        // Every unit taken from the slice went back: only the warm-up's is sold.
        Assert.Equal((1, 9), (sale!.Sold, sale.Replica.SliceRemaining));
    }

    [Fact]
    public async Task AfterTheBreakOneProbeClosesTheBreakerWhenRedisAnswers()
    {
        await using var redis = await StartRedisAsync();
        // Default breaker: 3 failures, 1 s break.
        await using var host = new ApiHost(redis, total: 10, settings: NoReconcile);
        await host.StartAsync();
        var breaker = host.Services.GetRequiredService<RedisBreaker>();
        using var transitions = new Transitions(host);
        var closedEvents = 0;
        var closedEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        breaker.Closed += () =>
        {
            Interlocked.Increment(ref closedEvents);
            closedEvent.TrySetResult();
        };

        Fail(breaker, 3);
        var closedAfter = await WaitForAsync(breaker, BreakerState.Closed, TimeSpan.FromSeconds(10));
        await closedEvent.Task.WaitAsync(Generous);

        Assert.InRange(closedAfter, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(1) + Generous);
        Assert.Equal(["open", "half_open", "closed"], transitions.States);
        Assert.Equal(1, Volatile.Read(ref closedEvents));
    }

    [Fact]
    public async Task AProbeRedisDoesNotAnswerStartsAnotherBreak()
    {
        await using var redis = await StartRedisAsync();
        await using var host = new ApiHost(redis, total: 10, settings: new Dictionary<string, string?>(NoReconcile)
        {
            ["Spike:RedisTimeout"] = "00:00:00.200",
            ["Spike:Breaker:BreakDuration"] = "00:00:00.500",
        });
        await host.StartAsync();
        var breaker = host.Services.GetRequiredService<RedisBreaker>();
        using var transitions = new Transitions(host);

        await redis.SuspendAsync();
        List<string> stalledStates;
        try
        {
            Fail(breaker, 3);
            // Break, probe (no answer within the 200 ms timeout), break, probe...
            await Task.Delay(TimeSpan.FromSeconds(2));
            stalledStates = transitions.States;
        }
        finally
        {
            await redis.ResumeAsync();
        }

        var closedAfter = await WaitForAsync(breaker, BreakerState.Closed, TimeSpan.FromSeconds(10));

        // Open, then half open for each probe, open again when it goes unanswered: never closed while Redis is stalled.
        Assert.True(stalledStates.Count >= 3, $"Only {string.Join(", ", stalledStates)} while Redis was stalled.");
        Assert.Equal(stalledStates.Select((_, index) => index % 2 == 0 ? "open" : "half_open"), stalledStates);
        Assert.Equal("closed", transitions.States[^1]);
        // A probe waiting on the stalled Redis is answered once it resumes; else the next probe, one break later, is.
        Assert.InRange(closedAfter, TimeSpan.Zero, TimeSpan.FromSeconds(0.5) + Generous);
        Assert.All(transitions.Gaps("open", "half_open"), gap => Assert.InRange(gap, TimeSpan.FromSeconds(0.45), TimeSpan.FromSeconds(0.5) + Generous));
    }

    [Fact]
    public async Task FailuresOfCallsThatStartedBeforeTheBreakerOpenedDoNotOpenItAgain()
    {
        await using var redis = await StartRedisAsync();
        await using var host = new ApiHost(redis, total: 10, settings: new Dictionary<string, string?>(NoReconcile) { ["Spike:Breaker:BreakDuration"] = "00:00:30" });
        await host.StartAsync();
        var breaker = host.Services.GetRequiredService<RedisBreaker>();
        var waiting = Enumerable.Range(0, 6).Select(_ => Ticket(breaker)).ToList();

        foreach (var ticket in waiting.Take(3))
        {
            breaker.Exit(ticket, answered: false);
        }

        var opened = breaker.State;
        breaker.RecordAnswer();
        foreach (var ticket in waiting.Skip(3))
        {
            breaker.Exit(ticket, answered: false);
        }

        Assert.Equal(BreakerState.Open, opened);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Fail(breaker, 3);
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    /// <summary>
    /// Default settings end to end: a stalled Redis makes three purchases time out, which opens the breaker; later buyers
    /// are answered at once; once Redis answers, the units held in doubt are settled within 2 s and each timed-out
    /// buyer's retry finds the order Redis made meanwhile.
    /// </summary>
    [Fact]
    public async Task ThreeTimeoutsOpenTheBreakerAndTheUnitsInDoubtSettleWithinTwoSecondsOfRedisAnswering()
    {
        await using var redis = await StartRedisAsync();
        await using var host = new ApiHost(redis, total: 100);
        var client = await host.StartAsync();
        var breaker = host.Services.GetRequiredService<RedisBreaker>();
        Assert.Equal(HttpStatusCode.Created, (await HttpContractTests.BuyAsync(client, host.SaleId, "warm-up")).StatusCode);

        List<(HttpStatusCode Status, TimeSpan Elapsed)> timedOut, whileOpen = [];
        SaleResponse? held;
        TimeSpan settledAfter;
        await redis.SuspendAsync();
        try
        {
            timedOut = [.. await Task.WhenAll(Enumerable.Range(0, 3).Select(buyer => TimedBuyAsync(client, host.SaleId, $"stalled-{buyer}")))];
            for (var buyer = 0; buyer < 10; buyer++)
            {
                whileOpen.Add(await TimedBuyAsync(client, host.SaleId, $"later-{buyer}"));
            }
        }
        finally
        {
            await redis.ResumeAsync();
        }

        var resumed = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync($"/api/sales/{host.SaleId}");
            held = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<SaleResponse>() : null;
            if (held is { Replica.InDoubt: 0 } || resumed.Elapsed > TimeSpan.FromSeconds(10))
            {
                settledAfter = resumed.Elapsed;
                break;
            }

            await Task.Delay(20);
        }

        var made = await Task.WhenAll(Enumerable.Range(0, 3).Select(async buyer =>
            (string?)await redis.Database.HashGetAsync(SaleKeys.For(host.SaleId).Buyers, $"stalled-{buyer}")));
        var retries = await Task.WhenAll(Enumerable.Range(0, 3).Select(async buyer =>
        {
            using var response = await HttpContractTests.BuyAsync(client, host.SaleId, $"stalled-{buyer}");
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<PurchaseResponse>())?.OrderId);
        }));

        Assert.All(timedOut, answer => Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status));
        Assert.All(timedOut, answer => Assert.InRange(answer.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1) + Generous));
        Assert.All(whileOpen, answer => Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status));
        AssertAtOnce(whileOpen.Select(answer => answer.Elapsed));
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.InRange(settledAfter, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        // Redis ran the stalled scripts when it resumed: every timed-out buyer had bought, and is told so.
        Assert.All(made, orderId => Assert.NotNull(orderId));
        Assert.Equal(made.Select(orderId => (HttpStatusCode.OK, orderId)), retries);
        Assert.Equal(4, held!.Sold);
    }

    /// <summary>No answer waited for Redis, and the typical one is under <see cref="FastAnswer"/>.</summary>
    private static void AssertAtOnce(IEnumerable<TimeSpan> elapsed)
    {
        var sorted = elapsed.Order().ToList();
        Assert.True(sorted[^1] < AtOnceOnALoadedMachine, $"An answer took {sorted[^1].TotalMilliseconds:0.0} ms.");
        Assert.True(sorted[sorted.Count / 2] < FastAnswer, $"The median answer took {sorted[sorted.Count / 2].TotalMilliseconds:0.0} ms.");
    }

    private static async Task<RedisServerProcess> StartRedisAsync()
    {
        var redis = new RedisServerProcess();
        await redis.StartAsync();
        return redis;
    }

    private static long Ticket(RedisBreaker breaker)
    {
        Assert.True(breaker.TryEnter(out var ticket));
        return ticket;
    }

    private static void Fail(RedisBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            breaker.Exit(Ticket(breaker), answered: false);
        }
    }

    private static async Task<TimeSpan> WaitForAsync(RedisBreaker breaker, BreakerState state, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (breaker.State != state)
        {
            Assert.True(waited.Elapsed < timeout, $"The breaker stayed {breaker.State} for {timeout}.");
            await Task.Delay(5);
        }

        return waited.Elapsed;
    }

    private static async Task<(HttpStatusCode Status, TimeSpan Elapsed)> TimedBuyAsync(HttpClient client, string saleId, string userId)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await HttpContractTests.BuyAsync(client, saleId, userId);
        return (response.StatusCode, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The states the host's breaker entered, in order, with when (<c>spike.breaker.transitions</c>).</summary>
    private sealed class Transitions : IDisposable
    {
        private readonly ConcurrentQueue<(string State, TimeSpan At)> _entered = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly MeterListener _listener = new();

        public Transitions(ApiHost host)
        {
            var meters = host.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "spike.breaker.transitions" && instrument.Meter.Scope == meters)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "state")
                    {
                        _entered.Enqueue(((string)tag.Value!, _clock.Elapsed));
                    }
                }
            });
            _listener.Start();
        }

        public List<string> States => [.. _entered.Select(entry => entry.State)];

        /// <summary>Time from each entry into <paramref name="from"/> to the next entry into <paramref name="to"/>.</summary>
        public List<TimeSpan> Gaps(string from, string to)
        {
            var entries = _entered.ToList();
            var gaps = new List<TimeSpan>();
            for (var index = 0; index < entries.Count; index++)
            {
                if (entries[index].State == from && entries.Skip(index + 1).FirstOrDefault(entry => entry.State == to) is { State: not null } next)
                {
                    gaps.Add(next.At - entries[index].At);
                }
            }

            return gaps;
        }

        public void Dispose() => _listener.Dispose();
    }
}
