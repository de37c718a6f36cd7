using System.Globalization;

namespace SpikeApp.LoadGen.Load;

/// <summary>A batch of requests sent by <see cref="LoadRunner"/>: the warmup or the measured run.</summary>
public sealed record LoadPhase(string Name, int Requests, int Concurrency, TimeSpan Duration, string BuyerPrefix, int Users)
{
    public const string WarmupName = "warmup";
    public const string RunName = "run";

    /// <summary>
    /// The measured phase. Buyer ids carry a per-run prefix so a second run against the same sale meets no buyer of the
    /// first; request i is buyer i mod --users, so fewer users than requests sends buyers back.
    /// </summary>
    public static LoadPhase Run(LoadGenOptions options, string runId)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(RunName, options.Requests, options.Concurrency, options.Duration, $"lg-{runId}-", options.EffectiveUsers);
    }

    /// <summary>The warmup buys as its own buyers, so the measured run still starts with first-time buyers.</summary>
    public static LoadPhase Warmup(LoadGenOptions options, string runId)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(WarmupName, options.Warmup, Math.Min(options.Concurrency, options.Warmup), options.Duration, $"lg-{runId}-w", options.Warmup);
    }

    public string BuyerFor(long index) => BuyerPrefix + (index % Users).ToString(CultureInfo.InvariantCulture);
}
