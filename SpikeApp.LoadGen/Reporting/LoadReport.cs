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
    InvariantReport Invariants)
{
    public int ExitCode => Invariants.ExitCode;

    public static LoadReport Create(LoadGenOptions options, PhaseResult? warmup, PhaseResult run, InvariantReport invariants)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Url!.ToString(), options.Mode, options.Sale, options.Concurrency,
            options.Mode == LoadMode.Api ? options.EffectiveUsers : null, options.Timeout.TotalSeconds, options.PayRatio, options.Settle.TotalSeconds,
            warmup, run, invariants);
    }
}
