namespace SpikeApp.LoadGen;

/// <summary>Lock-free running extremes: the compare-exchange loop runs only on a new extreme, which soon becomes rare.</summary>
internal static class AtomicExtremes
{
    public static void Min(ref long location, long candidate) => Update(ref location, candidate, static (candidate, current) => candidate < current);

    public static void Max(ref long location, long candidate) => Update(ref location, candidate, static (candidate, current) => candidate > current);

    private static void Update(ref long location, long candidate, Func<long, long, bool> isBetter)
    {
        var current = Volatile.Read(ref location);
        while (isBetter(candidate, current))
        {
            var seen = Interlocked.CompareExchange(ref location, candidate, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
