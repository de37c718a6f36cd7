using System.Globalization;

namespace SpikeApp.LoadGen.Load;

public sealed record LoadPhase(string Name, int Requests, int Concurrency, TimeSpan Duration, string BuyerPrefix, int Users, double PayRatio = 0)
{
    public const string WarmupName = "warmup";
    public const string RunName = "run";

    /// <summary>A per-run buyer prefix, so a second run against the same sale meets no buyer of the first.</summary>
    public static LoadPhase Run(LoadGenOptions options, string runId)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(RunName, options.Requests, options.Concurrency, options.Duration, $"lg-{runId}-", options.EffectiveUsers, options.PayRatio);
    }

    /// <summary>The warmup buys as its own buyers, so the measured run still starts with first-time buyers.</summary>
    public static LoadPhase Warmup(LoadGenOptions options, string runId)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(WarmupName, options.Warmup, Math.Min(options.Concurrency, options.Warmup), options.Duration, $"lg-{runId}-w", options.Warmup, options.PayRatio);
    }

    public string BuyerFor(long index) => BuyerPrefix + BuyerNumber(index).ToString(CultureInfo.InvariantCulture);

    /// <summary>Every buyer the phase can send: the first -n of its users.</summary>
    public IEnumerable<string> Buyers() => Enumerable.Range(0, Math.Min(Users, Requests)).Select(number => BuyerFor(number));

    /// <summary>A hash of the phase and the buyer's number, not of the random prefix, so the same buyers pay in every run.</summary>
    public bool Pays(long index) => PayRatio > 0 && Fraction(Name, BuyerNumber(index)) < PayRatio;

    /// <summary>A stable value in [0, 1): FNV-1a over the phase name and the buyer number, mixed (MurmurHash3's finalizer).</summary>
    internal static double Fraction(string phase, long buyer)
    {
        const ulong prime = 1099511628211;
        var hash = 14695981039346656037;
        foreach (var c in phase)
        {
            hash = (hash ^ c) * prime;
        }

        hash = (hash ^ (ulong)buyer) * prime;
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccd;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53;
        hash ^= hash >> 33;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private long BuyerNumber(long index) => index % Users;
}
