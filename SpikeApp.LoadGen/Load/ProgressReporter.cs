using System.Diagnostics;
using System.Globalization;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>One line rewritten in place on a terminal; a plain line about once a second when redirected (CI, the dashboard).</summary>
public sealed class ProgressReporter(TextWriter output, bool interactive, bool payments = false)
{
    private int _lastLength;

    public async Task RunAsync(RunCounters counters, int planned, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(counters);
        using var timer = new PeriodicTimer(interactive ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1));
        var started = Stopwatch.GetTimestamp();
        var last = (Done: 0L, At: started);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                last = Write(counters, planned, started, last);
            }
        }
        catch (OperationCanceledException)
        {
            // The phase ended: fall through to the final state.
        }

        Write(counters, planned, started, last);
        if (interactive)
        {
            output.WriteLine();
        }
    }

    private (long Done, long At) Write(RunCounters counters, int planned, long started, (long Done, long At) last)
    {
        var now = Stopwatch.GetTimestamp();
        var purchases = counters.PurchaseCounts();
        var done = purchases.Total;
        var interval = Stopwatch.GetElapsedTime(last.At, now).TotalSeconds;
        var rate = interval > 0 ? (done - last.Done) / interval : 0;
        var line = string.Create(CultureInfo.InvariantCulture, $"[{Stopwatch.GetElapsedTime(started, now).TotalSeconds,6:0.0}s] {done}/{planned} {rate,8:0}/s")
            + Counts(purchases) + (payments ? Counts(counters.PaymentCounts()) : "");
        if (interactive)
        {
            // Pad over the previous line's tail: the new one may be shorter.
            output.Write("\r" + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
        else
        {
            output.WriteLine(line);
        }

        return (done, now);
    }

    private static string Counts<TOutcome>(OutcomeTally<TOutcome> tally) where TOutcome : struct, Enum =>
        string.Concat(tally.Select(count => string.Create(CultureInfo.InvariantCulture, $" | {tally.Kind.Name(count.Key).ProgressLabel} {count.Value}")));
}
