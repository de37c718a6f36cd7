using Microsoft.Extensions.Options;
using SpikeApp.Api.Stock;
using SpikeApp.Store;

namespace SpikeApp.Api.Breaker;

/// <summary>
/// Keeps buyers from waiting on a Redis that does not answer. After <see cref="BreakerOptions.FailureThreshold"/> failed
/// calls in a row, requests answer 503 without calling Redis; once <see cref="BreakerOptions.BreakDuration"/> is over one
/// probe (a PING no buyer waits on) asks Redis again, and a failed probe starts another break. Any answer from Redis
/// closes the breaker, and closing raises <see cref="Closed"/> so units held in doubt are settled at once.
/// </summary>
public sealed partial class RedisBreaker(
    RedisSaleStore store,
    StockTelemetry telemetry,
    IOptions<BreakerOptions> options,
    ILogger<RedisBreaker> logger) : IDisposable
{
    private readonly Lock _transitions = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _state;
    // Changes with every transition: a call counts only against the state it started in, so calls that were already
    // waiting when the breaker opened cannot open it again right after it closed.
    private long _generation;
    private int _failures;

    /// <summary>Raised when Redis answers again after the breaker was open.</summary>
    public event Action? Closed;

    public BreakerState State => (BreakerState)Volatile.Read(ref _state);

    /// <summary>False while the breaker is open: answer 503 without calling Redis. Else hand <paramref name="ticket"/> to <see cref="Exit"/>.</summary>
    public bool TryEnter(out long ticket)
    {
        ticket = Volatile.Read(ref _generation);
        return State == BreakerState.Closed;
    }

    /// <param name="answered">Redis answered (any answer, an error reply too); false for a timeout or a lost connection.</param>
    public void Exit(long ticket, bool answered)
    {
        if (answered)
        {
            RecordAnswer();
            return;
        }

        lock (_transitions)
        {
            if (ticket != _generation || State != BreakerState.Closed
                || Interlocked.Increment(ref _failures) < options.Value.FailureThreshold)
            {
                return;
            }

            OpenLocked();
        }

        LogOpened(options.Value.FailureThreshold, options.Value.BreakDuration);
    }

    /// <summary>Redis answered a call the breaker does not gate (a background sync): it closes whatever its state.</summary>
    public void RecordAnswer()
    {
        if (State == BreakerState.Closed)
        {
            if (Volatile.Read(ref _failures) != 0)
            {
                Interlocked.Exchange(ref _failures, 0);
            }

            return;
        }

        lock (_transitions)
        {
            if (State == BreakerState.Closed)
            {
                return;
            }

            _generation++;
            Interlocked.Exchange(ref _failures, 0);
            Volatile.Write(ref _state, (int)BreakerState.Closed);
        }

        telemetry.RecordBreakerTransition(StockTelemetry.BreakerStates.Closed);
        LogClosed();
        if (Closed is { } closed)
        {
            InBackground(closed);
        }
    }

    /// <summary>One Redis call of a request, refused at once while the breaker is open; failures are <see cref="SaleStoreUnavailableException"/> either way.</summary>
    public async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        if (!TryEnter(out var ticket))
        {
            throw new SaleStoreUnavailableException("Redis failed repeatedly: the breaker answers without calling it until a probe succeeds.");
        }

        T result;
        try
        {
            result = await call();
        }
        catch (SaleStoreUnavailableException)
        {
            Exit(ticket, answered: false);
            throw;
        }

        Exit(ticket, answered: true);
        return result;
    }

    public void Dispose()
    {
        // Cancelled, not disposed: a probe waiting out its break may still read the token.
        _stopping.Cancel();
    }

    private void OpenLocked()
    {
        var generation = ++_generation;
        Volatile.Write(ref _state, (int)BreakerState.Open);
        telemetry.RecordBreakerTransition(StockTelemetry.BreakerStates.Open);
        InBackground(() => _ = ProbeAfterBreakAsync(generation));
    }

    /// <summary>Outside the trace of the request that happened to trip or close the breaker: probes and syncs are background work.</summary>
    private static void InBackground(Action work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(work);
        }
    }

    private async Task ProbeAfterBreakAsync(long generation)
    {
        try
        {
            await Task.Delay(options.Value.BreakDuration, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_transitions)
        {
            if (generation != _generation)
            {
                // Redis answered some other call meanwhile.
                return;
            }

            generation = ++_generation;
            Volatile.Write(ref _state, (int)BreakerState.HalfOpen);
            telemetry.RecordBreakerTransition(StockTelemetry.BreakerStates.HalfOpen);
        }

        try
        {
            await store.PingAsync();
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the probe must not leave the breaker half open for good.
            LogProbeFailed(ex);
            lock (_transitions)
            {
                if (generation == _generation && !_stopping.IsCancellationRequested)
                {
                    OpenLocked();
                }
            }

            return;
        }

        RecordAnswer();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis failed {Failures} times in a row: requests answer 503 without calling it, and a probe asks it again every {BreakDuration}")]
    private partial void LogOpened(int failures, TimeSpan breakDuration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again: the breaker is closed")]
    private partial void LogClosed();

    [LoggerMessage(Level = LogLevel.Debug, Message = "The breaker's probe got no answer from Redis; another break begins")]
    private partial void LogProbeFailed(Exception exception);
}
