using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace SpikeApp.Store.Loops;

/// <summary>
/// How a background loop fails honestly: no failure ends it. Each failure is counted (<c>spike.loop.failures</c>); the
/// first is logged with its exception, the ones after it at most once per <see cref="LogInterval"/> and without a stack
/// trace, and the recovery once: an outage takes a few lines, not a stack trace per round. The loop retries after
/// a back-off that doubles from its own interval, and its health check says Degraded, with the last error, until a round
/// succeeds again.
/// </summary>
public sealed partial class LoopHealth(string loop, TimeSpan interval, ILogger logger, LoopTelemetry telemetry)
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(30);

    /// <summary>The longest back-off (unless the loop's own interval is longer): a recovered Redis or PostgreSQL is used again within it.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private int _failures;
    private long _failingSince;
    private long _lastLogged;
    private volatile string? _trouble;

    /// <summary>Why the loop is failing, or null while its last round succeeded.</summary>
    public string? Trouble => _trouble;

    /// <summary>Counts the failure, logs it when due, and answers how long to wait before the next try.</summary>
    public TimeSpan Failed(Exception exception)
    {
        telemetry.RecordFailure(loop);
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _failures++;
            if (_failures == 1)
            {
                _failingSince = now;
                _lastLogged = now;
                LogFailing(logger, loop, exception);
            }
            else if (Stopwatch.GetElapsedTime(_lastLogged, now) >= LogInterval)
            {
                _lastLogged = now;
                var seconds = Stopwatch.GetElapsedTime(_failingSince, now).TotalSeconds;
                LogStillFailing(logger, loop, _failures, seconds, exception.Message);
            }

            _trouble = $"The {loop} loop failed {_failures} time(s) in a row: {exception.Message}";
            return Backoff(interval, _failures);
        }
    }

    public void Succeeded()
    {
        if (_trouble is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_failures > 0)
            {
                var seconds = Stopwatch.GetElapsedTime(_failingSince).TotalSeconds;
                LogRecovered(logger, loop, _failures, seconds);
            }

            _failures = 0;
            _trouble = null;
        }
    }

    /// <summary>Degraded while failing, else <paramref name="whenSucceeding"/>.</summary>
    public HealthCheckResult Check(HealthCheckResult whenSucceeding) =>
        _trouble is { } trouble ? HealthCheckResult.Degraded(trouble) : whenSucceeding;

    /// <summary>The interval, doubled for each failure after the first, up to <see cref="MaxBackoff"/> (or the interval, if longer).</summary>
    public static TimeSpan Backoff(TimeSpan interval, int failures)
    {
        var ceiling = interval > MaxBackoff ? interval : MaxBackoff;
        var doubled = interval * Math.Pow(2, Math.Min(failures - 1, 16));
        return doubled < ceiling ? doubled : ceiling;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Loop} loop failed; it retries with a back-off, and says so again only at intervals while it keeps failing")]
    private static partial void LogFailing(ILogger logger, string loop, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Loop} loop is still failing: {Failures} failures in a row over {Seconds:0.0} s; the last: {Message}")]
    private static partial void LogStillFailing(ILogger logger, string loop, int failures, double seconds, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Loop} loop recovered after {Failures} failures over {Seconds:0.0} s")]
    private static partial void LogRecovered(ILogger logger, string loop, int failures, double seconds);
}
