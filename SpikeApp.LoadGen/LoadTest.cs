using System.Diagnostics;
using System.Globalization;
using SpikeApp.Buyers;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.LoadGen.Buyers;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen;

/// <summary>One load test end to end: read the sale, mint the buyers' tokens, warm up, run, let orders settle, check the invariants, report.</summary>
/// <param name="minter">Signs the buyers' tokens; api mode needs it, seed mode's buyers are anonymous.</param>
public sealed class LoadTest(LoadGenOptions options, LoadRunner runner, SaleReader reader, BuyerTokenMinter? minter = null)
{
    /// <summary>Reading the sale and every order back is bounded too; a stalled API fails the check instead of hanging.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(2);

    /// <param name="stop">Ctrl+C or the host stopping: no new requests are sent, but the run is still checked and reported.</param>
    public async Task<int> RunAsync(TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var run = LoadGenTelemetry.StartRun(options);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var orders = new OrderBook();

        SaleResponse? before;
        OrdersSummary? storedBefore = null;
        using (var timeout = new CancellationTokenSource(CheckTimeout))
        {
            (before, var error) = await reader.ReadSaleAsync(options.Sale, timeout.Token);
            if (error is not null)
            {
                output.WriteLine($"Before the run: {error}");
            }

            // PostgreSQL's paid count before the run, so the check afterwards can tell this run's paid orders from older ones.
            if (options.PayRatio > 0 && options.OrdersUrl is not null)
            {
                (storedBefore, error) = await reader.ReadStoredSummaryAsync(options.Sale, timeout.Token);
                if (error is not null)
                {
                    output.WriteLine($"Before the run: {error}");
                }
            }
        }

        var warmupPhase = options.Warmup > 0 ? LoadPhase.Warmup(options, runId) : null;
        var runPhase = LoadPhase.Run(options, runId);
        var buyers = MintTokens(output, warmupPhase is null ? [runPhase] : [warmupPhase, runPhase]);

        PhaseResult? warmup = null;
        var warmupCounters = new RunCounters();
        if (warmupPhase is not null)
        {
            output.WriteLine($"Warming up with {options.Warmup} requests...");
            warmup = await runner.RunAsync(warmupPhase, buyers, warmupCounters, orders, stop);
        }

        output.WriteLine($"Sending {options.Requests} requests to {options.Url} ({options.Mode.ToString().ToLowerInvariant()} mode), {options.Concurrency} at a time...");
        var counters = new RunCounters();
        using var progressStop = new CancellationTokenSource();
        var progress = new ProgressReporter(output, interactive: !Console.IsOutputRedirected, payments: options.PayRatio > 0)
            .RunAsync(counters, options.Requests, progressStop.Token);
        PhaseResult measured;
        try
        {
            measured = await runner.RunAsync(runPhase, buyers, counters, orders, stop);
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }

        await SettleAsync(output, stop);

        var evidence = new RunEvidence(options.Sale, options.Mode, options.Shared,
            Successes: measured.Outcomes[Outcome.Success] + (warmup?.Outcomes[Outcome.Success] ?? 0),
            Uncertain: measured.Outcomes.Uncertain + (warmup?.Outcomes.Uncertain ?? 0),
            orders, before, options.Concurrency, options.PayRatio,
            LastSoldOut: counters.LastSoldOut ?? warmupCounters.LastSoldOut, storedBefore);
        InvariantReport invariants;
        using (var timeout = new CancellationTokenSource(CheckTimeout))
        {
            invariants = InvariantChecker.Check(evidence, await reader.ReadBackAsync(evidence, buyers, timeout.Token));
        }

        var report = LoadReport.Create(options, warmup, measured, invariants);
        ReportWriter.WriteText(output, report);
        if (options.JsonPath is { } path)
        {
            await ReportWriter.WriteJsonAsync(path, report, CancellationToken.None);
            output.WriteLine($"JSON report: {Path.GetFullPath(path)}");
        }

        run?.SetTag("spike.loadgen.exit_code", report.ExitCode);
        run?.SetStatus(report.Invariants.Passed ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        return report.ExitCode;
    }

    /// <summary>Api mode: a token for every buyer of every phase, minted before the first so that signing stays out of every timing.</summary>
    private BuyerTokens MintTokens(TextWriter output, IReadOnlyList<LoadPhase> phases)
    {
        if (options.Mode != LoadMode.Api)
        {
            return BuyerTokens.None;
        }

        var signer = minter ?? throw new InvalidOperationException("Api mode buys as buyers with tokens: the load test needs a token minter.");

        // Valid until all that follows is over, whatever the flags: each phase up to its cap, then a purchase and its
        // payment still in flight, the settle and the check.
        var lifetime = phases.Count * (options.Duration + 2 * options.Timeout) + options.Settle + CheckTimeout;
        var buyers = BuyerTokens.Mint(signer, phases.SelectMany(phase => phase.Buyers()), lifetime);
        output.WriteLine($"Minted a token for each of {buyers.Count} buyers.");
        return buyers;
    }

    /// <summary>Waits --settle, so unpaid orders expire and the order processor catches up; Ctrl+C cuts the wait short.</summary>
    private async Task SettleAsync(TextWriter output, CancellationToken stop)
    {
        if (options.Settle <= TimeSpan.Zero)
        {
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Settling for {options.Settle.TotalSeconds:0.###} s: unpaid orders expire, the order stream drains..."));
        try
        {
            await Task.Delay(options.Settle, stop);
        }
        catch (OperationCanceledException)
        {
            // Interrupted: check what there is.
        }
    }
}
