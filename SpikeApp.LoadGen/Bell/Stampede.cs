using System.Diagnostics;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Bell;

/// <summary>
/// A run phase that starts at the opening: its buyers connect first, wait for it, then send at once. Records, lock-free,
/// when the first and last sale were answered, the answers of the first second, and "not open" answers after the bell.
/// </summary>
public sealed class Stampede(Opening opening, OpeningClock clock, TimeProvider time)
{
    /// <summary>
    /// Each replica opens on its own reading of Redis' clock, measured at its sync, so a "not open" sent within this of the
    /// opening (beyond this machine's own uncertainty) is a difference of clocks, not a buyer turned away.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(50);

    /// <summary>The answers of the first two seconds are also counted by tenth of a second: the shape of the start.</summary>
    public const int Tenths = 20;

    private long _connected;
    private long _released;
    private DateTimeOffset _releasedAt;
    private long _firstSecondEnd;
    private long _graceEnd;
    private long _firstSale = long.MaxValue;
    private long _lastSale = long.MinValue;
    private long _firstSecondAnswers;
    private long _turnedAway;
    private readonly long[] _answersByTenth = new long[Tenths];

    public Opening Opening => opening;

    /// <summary>A buyer's connection answered its request before the opening.</summary>
    public void RecordConnected() => Interlocked.Increment(ref _connected);

    /// <summary>Waits for the opening, then starts the clock of the run; false when Ctrl+C came first.</summary>
    public async Task<bool> WaitAsync(CancellationToken stop)
    {
        var opened = await clock.WaitAsync(opening, stop);
        _releasedAt = time.GetUtcNow();
        _released = Stopwatch.GetTimestamp();
        _firstSecondEnd = _released + Stopwatch.Frequency;
        var grace = opening.At + opening.ClockUncertainty + Grace - _releasedAt;
        _graceEnd = _released + (long)(Math.Max(0, grace.TotalSeconds) * Stopwatch.Frequency);
        return opened;
    }

    /// <summary>One purchase: when it was sent and answered (<see cref="Stopwatch"/> timestamps), and how.</summary>
    public void Record(long sent, long answered, Outcome outcome)
    {
        if (answered < _firstSecondEnd)
        {
            Interlocked.Increment(ref _firstSecondAnswers);
        }

        var tenth = (answered - _released) * 10 / Stopwatch.Frequency;
        if (tenth is >= 0 and < Tenths)
        {
            Interlocked.Increment(ref _answersByTenth[tenth]);
        }

        if (outcome == Outcome.Success)
        {
            AtomicExtremes.Min(ref _firstSale, answered);
            AtomicExtremes.Max(ref _lastSale, answered);
        }
        else if (outcome == Outcome.NotOpen && sent >= _graceEnd)
        {
            Interlocked.Increment(ref _turnedAway);
        }
    }

    /// <param name="connections">The buyers' connections: the run's concurrency, capped by its requests.</param>
    /// <param name="elapsed">From the release of the buyers to the end of the run.</param>
    public StampedeResult Result(int connections, TimeSpan elapsed)
    {
        var late = _releasedAt - opening.At;
        return new StampedeResult(opening, Interlocked.Read(ref _connected), connections, late,
            FirstSale: SinceOpening(Interlocked.Read(ref _firstSale), late), LastSale: SinceOpening(Interlocked.Read(ref _lastSale), late),
            FirstSecondAnswers: Interlocked.Read(ref _firstSecondAnswers), FirstSecondLength: elapsed < TimeSpan.FromSeconds(1) ? elapsed : TimeSpan.FromSeconds(1),
            TurnedAway: Interlocked.Read(ref _turnedAway),
            AnswersByTenth: [.. Enumerable.Range(0, Tenths).Select(tenth => Interlocked.Read(ref _answersByTenth[tenth]))]);
    }

    private TimeSpan? SinceOpening(long timestamp, TimeSpan late) =>
        timestamp is long.MaxValue or long.MinValue ? null : late + Stopwatch.GetElapsedTime(_released, timestamp);
}
