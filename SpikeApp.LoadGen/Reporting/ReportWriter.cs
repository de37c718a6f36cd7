using System.Globalization;
using System.Text.Json;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Reporting;

public static class ReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void WriteText(TextWriter output, LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        var run = report.Run;
        var latency = run.Latency;

        output.WriteLine();
        Line(output, "Server", $"{report.Url} ({(report.Mode == LoadMode.Seed ? "seed" : "api")} mode, sale \"{report.Sale}\")");
        Line(output, "Concurrency level", report.Concurrency.ToString(Invariant));
        if (report.Users is int users)
        {
            Line(output, "Distinct buyers", users.ToString(Invariant));
        }

        if (report.PayRatio > 0)
        {
            Line(output, "Pay ratio", string.Create(Invariant, $"{report.PayRatio} of the buyers pay for a new order; the others abandon it"));
        }

        if (report.Warmup is { } warmup)
        {
            Line(output, "Warmup (not counted)", string.Create(Invariant, $"{warmup.Requests} requests, {warmup.Outcomes[Outcome.Success]} successes")
                + (warmup.Payments is { } paid ? string.Create(Invariant, $", {paid.Outcomes[PaymentOutcome.Paid]} paid") : ""));
        }

        Line(output, "Requests", string.Create(Invariant, $"{run.Requests} of {run.PlannedRequests}{StopNote(run.StoppedBy)}"));
        Line(output, "Duration", string.Create(Invariant, $"{run.DurationSeconds:0.000} s"));
        Line(output, "Throughput", string.Create(Invariant, $"{run.RequestsPerSecond:0.0} requests/s"));

        output.WriteLine();
        output.WriteLine(string.Create(Invariant, $"Latency of answered requests ({latency.Count}), ms"));
        if (latency.Count == 0)
        {
            output.WriteLine("  (no request was answered)");
        }
        else
        {
            foreach (var (name, value) in new[] { ("p50", latency.P50Ms), ("p90", latency.P90Ms), ("p99", latency.P99Ms), ("p99.9", latency.P999Ms), ("max", latency.MaxMs) })
            {
                output.WriteLine(string.Create(Invariant, $"  {name,-6} {value,10:0.000}"));
            }

            output.WriteLine(string.Create(Invariant, $"  (min {latency.MinMs:0.000}, mean {latency.MeanMs:0.000})"));
        }

        output.WriteLine();
        output.WriteLine("Outcomes");
        WriteCounts(output, run.Outcomes, run.Problems);

        if (run.Payments is { } payments)
        {
            output.WriteLine();
            output.WriteLine(string.Create(Invariant, $"Payments ({payments.Outcomes.Total} of {run.Outcomes[Outcome.Success]} new orders; the rest abandoned)"));
            WriteCounts(output, payments.Outcomes, payments.Problems);
        }

        if (report.Opening is { } opening)
        {
            output.WriteLine();
            WriteOpening(output, opening);
        }

        if (report.SettleSeconds > 0)
        {
            output.WriteLine();
            output.WriteLine(string.Create(Invariant, $"Settled {report.SettleSeconds:0.###} s before the checks"));
        }

        output.WriteLine();
        output.WriteLine(report.Invariants.SaleAfter is { } sale
            ? string.Create(Invariant, $"Invariants (sale \"{sale.SaleId}\": total {sale.Total}, sold {sale.Sold}, remaining {sale.Remaining}, epoch {sale.Epoch})")
            : "Invariants");
        foreach (var result in report.Invariants.Results)
        {
            var verdict = result.Status switch
            {
                InvariantStatus.Passed => "PASS",
                InvariantStatus.Failed => "FAIL",
                _ => "SKIP",
            };
            output.WriteLine($"  {verdict}  {result.Name,-35} {result.Detail}");
        }

        output.WriteLine();
        output.WriteLine(report.Invariants.Passed
            ? string.Create(Invariant, $"Result: every invariant holds (exit {report.ExitCode})")
            : string.Create(Invariant, $"Result: INVARIANT FAILED (exit {report.ExitCode})"));
    }

    public static Task WriteJsonAsync(string path, LoadReport report, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(path, ToJson(report), cancellationToken);

    public static string ToJson(LoadReport report) => JsonSerializer.Serialize(report, LoadGenJsonContext.Default.LoadReport);

    private static void WriteCounts<TOutcome>(TextWriter output, OutcomeTally<TOutcome> tally, IReadOnlyDictionary<string, long> problems)
        where TOutcome : struct, Enum
    {
        foreach (var (outcome, count) in tally)
        {
            output.WriteLine(string.Create(Invariant, $"  {tally.Kind.Name(outcome).Label,-20} {count,10}"));
        }

        foreach (var (problem, count) in problems)
        {
            output.WriteLine(string.Create(Invariant, $"    {count,8} x {problem}"));
        }
    }

    /// <summary>The buyers' side on this machine's clock corrected to the opening's; the replicas' side on Redis' clock.</summary>
    private static void WriteOpening(TextWriter output, OpeningReport opening)
    {
        output.WriteLine(opening.Source == OpeningSource.At
            ? string.Create(Invariant, $"Opening (--at {opening.At:O}") + (opening.OpensAt == opening.At ? ")" : string.Create(Invariant, $"; the sale's opensAt {opening.OpensAt:O})"))
            : string.Create(Invariant, $"Opening (the sale's opensAt {opening.OpensAt:O}; this clock corrected by {opening.ClockOffsetMs:+0.0;-0.0} ms, ±{opening.ClockUncertaintyMs:0.0} ms)"));
        Item("connected before it", string.Create(Invariant, $"{opening.Connected} of {opening.Connections} connections"));
        Item("buyers released", string.Create(Invariant, $"{opening.StartLateMs:0.0} ms after it"));
        Item("first sale", opening.FirstSaleSeconds is { } first ? string.Create(Invariant, $"{first:0.000} s after it") : "none");
        Item("sold out", opening.SoldOutSeconds is { } soldOut ? string.Create(Invariant, $"{soldOut:0.000} s after it (the last unit's answer)") : "not sold out");
        Item("first second", string.Create(Invariant, $"{opening.FirstSecondRequests} answers ({opening.FirstSecondRequestsPerSecond:0.0} requests/s)"));
        Item("by tenth of a second", string.Join(' ', opening.AnswersByTenth.Take(10)) + " | " + string.Join(' ', opening.AnswersByTenth.Skip(10)));
        if (opening.NotOpenAfterOpening > 0)
        {
            Item("turned away after it", opening.NotOpenAfterOpening.ToString(Invariant));
        }

        if (opening.ReplicaSpreadMs is { } spread)
        {
            output.WriteLine(string.Create(Invariant, $"  first sale by replica, Redis' clock (spread {spread:0} ms)"));
            foreach (var replica in opening.Replicas)
            {
                output.WriteLine(string.Create(Invariant, $"    {replica.ReplicaId,-22} {replica.OffsetMs,8:+0;-0} ms  {replica.FirstSaleAt:O}"));
            }
        }

        void Item(string name, string value) => output.WriteLine($"  {name,-24}{value}");
    }

    private static string StopNote(StopReason reason) => reason switch
    {
        StopReason.Duration => " (stopped by --duration)",
        StopReason.Interrupted => " (stopped by Ctrl+C)",
        _ => "",
    };

    private static void Line(TextWriter output, string name, string value) => output.WriteLine($"{name + ":",-24}{value}");
}
