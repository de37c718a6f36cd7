using System.Globalization;
using SpikeApp.LoadGen.Invariants;

namespace SpikeApp.LoadGen.Bell;

/// <summary>Finds the opening (--at, or the sale's <c>opensAt</c> on Redis' clock for --wait-open) and waits for it on this machine's clock.</summary>
public sealed class OpeningClock(SaleReader reader, TimeProvider time)
{
    /// <summary>Each reading of <c>serverTime</c> is off by up to half its round trip; the shortest of a few is kept.</summary>
    private const int Readings = 3;

    /// <summary>Timers fire late on a busy machine, by tens of milliseconds: the last stretch before the opening is spun, not slept.</summary>
    private static readonly TimeSpan SpinBefore = TimeSpan.FromMilliseconds(50);

    /// <summary>The opening the options ask for; null and why when there is none to wait for.</summary>
    public async Task<(Opening? Opening, string? Problem)> FindAsync(LoadGenOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.At is { } at)
        {
            // The sale's own opensAt, if the API reports one, is what its orders are checked against; --at works without it.
            var (schedule, _) = await reader.ReadScheduleAsync(options.Sale, cancellationToken);
            return (new Opening(OpeningSource.At, at, schedule?.OpensAt, TimeSpan.Zero, TimeSpan.Zero), null);
        }

        (SaleSchedule Schedule, DateTimeOffset Midpoint, TimeSpan RoundTrip)? best = null;
        for (var i = 0; i < Readings; i++)
        {
            var sent = time.GetUtcNow();
            var (schedule, error) = await reader.ReadScheduleAsync(options.Sale, cancellationToken);
            var roundTrip = time.GetUtcNow() - sent;
            if (schedule is null)
            {
                return (null, $"--wait-open: {error}");
            }

            if (schedule.OpensAt is null || schedule.ServerTime is null)
            {
                return (null, $"--wait-open: GET /api/sales/{options.Sale} has no opensAt and serverTime: this API does not schedule openings.");
            }

            if (best is null || roundTrip < best.Value.RoundTrip)
            {
                best = (schedule, sent + roundTrip / 2, roundTrip);
            }
        }

        var (read, midpoint, shortest) = best!.Value;
        var offset = read.ServerTime!.Value - midpoint;
        var opening = new Opening(OpeningSource.Sale, read.OpensAt!.Value - offset, read.OpensAt, offset, shortest / 2);
        return opening.At - time.GetUtcNow() > LoadGenOptions.MaxWaitForOpening
            ? (null, string.Create(CultureInfo.InvariantCulture, $"--wait-open: sale '{options.Sale}' opens at {read.OpensAt:O}, more than 24h ahead."))
            : (opening, null);
    }

    /// <summary>Returns at the opening, or at once when it has passed; false when <paramref name="stop"/> came first.</summary>
    public async Task<bool> WaitAsync(Opening opening, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(opening);
        try
        {
            if (opening.At - time.GetUtcNow() - SpinBefore is { Ticks: > 0 } sleep)
            {
                await Task.Delay(sleep, time, stop);
            }

            while (time.GetUtcNow() < opening.At)
            {
                stop.ThrowIfCancellationRequested();
                Thread.Yield();
            }

            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }
}
