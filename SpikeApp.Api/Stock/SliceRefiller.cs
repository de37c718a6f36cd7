using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Breaker;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Refills a dry slice from what Redis still has, so a dead or slow replica's share is still sold. One refill per sale at
/// a time, at most one per refill interval, with a growing back-off while Redis does not answer, none while the Redis
/// breaker is open.
/// </summary>
public sealed partial class SliceRefiller(
    SaleRegistry registry,
    RedisBreaker breaker,
    StockTelemetry telemetry,
    ReplicaIdentity replica,
    IOptions<SpikeOptions> options,
    ILogger<SliceRefiller> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private readonly ConditionalWeakTable<LocalSale, RefillState> _states = [];
    private int _consecutiveFailures;

    /// <summary>Within a back-off, answers Failed at once; within the refill interval, TooSoon with the time left.</summary>
    public ValueTask<RefillResult> RefillAsync(LocalSale sale) => RefillAsync(sale, out _);

    /// <param name="sale">The sale whose slice is dry.</param>
    /// <param name="retryIn">With TooSoon, how long until the next refill may run.</param>
    public ValueTask<RefillResult> RefillAsync(LocalSale sale, out TimeSpan retryIn)
    {
        retryIn = TimeSpan.Zero;

        // While the breaker is open no purchase waits on a refill.
        if (breaker.State != BreakerState.Closed)
        {
            return ValueTask.FromResult(RefillResult.Failed);
        }

        var state = _states.GetValue(sale, static _ => new RefillState());
        var running = Volatile.Read(ref state.Running);
        if (running is not { IsCompleted: false })
        {
            var wait = Interlocked.Read(ref state.NextAllowed) - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                if (Volatile.Read(ref state.LastFailed))
                {
                    return ValueTask.FromResult(RefillResult.Failed);
                }

                retryIn = Stopwatch.GetElapsedTime(0, wait);
                return ValueTask.FromResult(RefillResult.TooSoon);
            }
        }

        return RefillOnceAsync(sale, state);
    }

    private async ValueTask<RefillResult> RefillOnceAsync(LocalSale sale, RefillState state)
    {
        while (true)
        {
            var running = Volatile.Read(ref state.Running);
            if (running is { IsCompleted: false })
            {
                return await running;
            }

            if (Stopwatch.GetTimestamp() < Interlocked.Read(ref state.NextAllowed))
            {
                // Another purchase's refill ended between our checks: ask again, it knows the time left.
                return Volatile.Read(ref state.LastFailed) ? RefillResult.Failed : RefillResult.TooSoon;
            }

            var started = new TaskCompletionSource<RefillResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.CompareExchange(ref state.Running, started.Task, running) == running)
            {
                try
                {
                    var result = await RunAsync(sale, state);
                    started.SetResult(result);
                    return result;
                }
                catch (Exception ex)
                {
                    // Purchases waiting on this refill must not wait forever.
                    started.SetException(ex);
                    throw;
                }
            }
        }
    }

    private async Task<RefillResult> RunAsync(LocalSale sale, RefillState state)
    {
        if (!breaker.TryEnter(out var ticket))
        {
            return RefillResult.Failed;
        }

        using var activity = StockTelemetry.ActivitySource.StartActivity(StockTelemetry.RefillSpan);
        activity?.SetTag("spike.sale", sale.SaleId);
        activity?.SetTag("spike.replica", replica.Id);

        RefillResult result;
        try
        {
            var synced = await registry.SyncAsync(sale.SaleId);
            breaker.Exit(ticket, answered: true);
            telemetry.RecordSync(StockTelemetry.SyncReasons.Refill);
            telemetry.RecordSettled(synced.SettledSold, synced.SettledReturned);
            Interlocked.Exchange(ref _consecutiveFailures, 0);
            Interlocked.Exchange(ref state.NextAllowed, Stopwatch.GetTimestamp() + ToTimestampTicks(options.Value.RefillInterval));

            if (synced.Sale is not { } view || !ReferenceEquals(view.Local, sale))
            {
                result = RefillResult.EpochChanged;
            }
            else if (sale.IsRestoring)
            {
                result = RefillResult.Restoring;
            }
            else if (view.State.SoldOut)
            {
                result = RefillResult.SoldOut;
            }
            else
            {
                var units = options.Value.SliceFor(view.State.Remaining, synced.AliveReplicas);
                sale.Grant(units);
                result = RefillResult.Granted;
                activity?.SetTag("spike.stock.granted", units);
                activity?.SetTag("spike.stock.redis.remaining", view.State.Remaining);
                activity?.SetTag("spike.replicas.alive", synced.AliveReplicas);
                LogRefilled(sale.SaleId, units, view.State.Remaining, synced.AliveReplicas);
            }

            if (synced.SettledSold + synced.SettledReturned > 0)
            {
                activity?.SetTag("spike.stock.settled.sold", synced.SettledSold);
                activity?.SetTag("spike.stock.settled.returned", synced.SettledReturned);
            }
        }
        catch (SaleStoreUnavailableException ex)
        {
            breaker.Exit(ticket, answered: false);
            var failures = Interlocked.Increment(ref _consecutiveFailures);
            var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures - 1, 5))));
            Interlocked.Exchange(ref state.NextAllowed, Stopwatch.GetTimestamp() + ToTimestampTicks(backoff));
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            result = RefillResult.Failed;
        }

        Volatile.Write(ref state.LastFailed, result == RefillResult.Failed);
        activity?.SetTag("spike.result", ToTag(result));
        telemetry.RecordRefill(ToTag(result));
        return result;
    }

    private static long ToTimestampTicks(TimeSpan interval) => (long)(interval.TotalSeconds * Stopwatch.Frequency);

    private static string ToTag(RefillResult result) => result switch
    {
        RefillResult.Granted => "granted",
        RefillResult.SoldOut => "sold_out",
        RefillResult.EpochChanged => "replaced",
        RefillResult.Restoring => "restoring",
        _ => "failed",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refilled sale {SaleId}: {Units} units granted; Redis has {Remaining} left among {AliveReplicas} replicas")]
    private partial void LogRefilled(string saleId, int units, long remaining, int aliveReplicas);

    private sealed class RefillState
    {
        public Task<RefillResult>? Running;
        public long NextAllowed;
        public bool LastFailed;
    }
}
