using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;

namespace SpikeApp.LoadGen.Reporting;

/// <summary>Everything the run learned: printed by <see cref="ReportWriter"/>, and the shape of the --json file.</summary>
public sealed record LoadReport(
    string Url,
    LoadMode Mode,
    string Sale,
    int Concurrency,
    int? Users,
    double TimeoutSeconds,
    double PayRatio,
    double SettleSeconds,
    PhaseResult? Warmup,
    PhaseResult Run,
    InvariantReport Invariants,
    OpeningReport? Opening = null)
{
    public int ExitCode => Invariants.ExitCode;

    /// <param name="opening">With --at or --wait-open: the opening as the buyers and the replicas saw it.</param>
    public static LoadReport Create(LoadGenOptions options, PhaseResult? warmup, PhaseResult run, InvariantReport invariants, OpeningReport? opening = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Url!.ToString(), options.Mode, options.Sale, options.Concurrency,
            options.Mode == LoadMode.Api ? options.EffectiveUsers : null, options.Timeout.TotalSeconds, options.PayRatio, options.Settle.TotalSeconds,
            warmup, run, invariants, opening);
    }
}
