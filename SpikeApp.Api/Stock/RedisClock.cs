namespace SpikeApp.Api.Stock;

/// <summary>
/// Redis' clock as this replica reads it: its own clock plus the offset measured at each sync. Of the recent syncs, the
/// one with the shortest round trip bounds the offset best, so it is the one used; the replicas then open a sale within
/// about that round trip of one another. Only what is sure despite that error is answered from this reading; the rest
/// (and everything before the first sync) is left to Redis' script, which reads the clock itself.
/// </summary>
public sealed class RedisClock(TimeProvider time)
{
    /// <summary>Recent enough to follow a drifting clock, many enough that one slow sync does not move the offset.</summary>
    private const int Samples = 8;

    private readonly Lock _measuring = new();
    private readonly (long OffsetMicroseconds, long RoundTripTicks)[] _samples = new (long, long)[Samples];
    private int _taken;
    private long _offsetMicroseconds;

    // Half the best round trip plus Redis' rounding to whole milliseconds; unmeasured, nothing is sure.
    private long _marginMs = long.MaxValue / 4;

    /// <summary>Redis' time now, in milliseconds since the Unix epoch.</summary>
    public long NowMs => (LocalMicroseconds() + Interlocked.Read(ref _offsetMicroseconds)) / 1000;

    public DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    /// <summary>Redis' clock minus this replica's, as last measured.</summary>
    public TimeSpan Offset => TimeSpan.FromMicroseconds(Interlocked.Read(ref _offsetMicroseconds));

    /// <summary>True when Redis' clock is surely before <paramref name="timeMs"/>, whatever the error of this reading.</summary>
    public bool IsSurelyBefore(long timeMs) => NowMs + Interlocked.Read(ref _marginMs) < timeMs;

    /// <summary>True when Redis' clock is surely at or past <paramref name="timeMs"/>.</summary>
    public bool IsSurelyAtOrAfter(long timeMs) => NowMs - Interlocked.Read(ref _marginMs) >= timeMs;

    /// <summary>The time to pass to <see cref="Measure"/> as the start of a call.</summary>
    public long StartMeasuring() => time.GetTimestamp();

    /// <param name="redisNowMicroseconds">Redis' <c>TIME</c> during the call that began at <paramref name="started"/> and just answered.</param>
    public void Measure(long redisNowMicroseconds, long started)
    {
        var roundTrip = time.GetElapsedTime(started);
        // Redis read its clock somewhere in the round trip: the middle is off by at most half of it.
        var offset = redisNowMicroseconds - (LocalMicroseconds() - (long)(roundTrip.TotalMicroseconds / 2));
        lock (_measuring)
        {
            _samples[_taken++ % Samples] = (offset, roundTrip.Ticks);
            var best = _samples.Take(Math.Min(_taken, Samples)).MinBy(sample => sample.RoundTripTicks);
            Interlocked.Exchange(ref _offsetMicroseconds, best.OffsetMicroseconds);
            Interlocked.Exchange(ref _marginMs, (long)Math.Ceiling(TimeSpan.FromTicks(best.RoundTripTicks).TotalMilliseconds / 2) + 1);
        }
    }

    private long LocalMicroseconds() => (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
