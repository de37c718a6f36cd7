using System.Diagnostics;
using System.Globalization;
using SpikeApp.Buyers;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Buyers;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen;

/// <summary>One load test end to end: read the sale (and its opening), mint the buyers' tokens, warm up or wait for the opening, run, let orders settle, check the invariants, report.</summary>
/// <param name="minter">Signs the buyers' tokens; api mode needs it, seed mode's buyers are anonymous.</param>
/// <param name="time">This machine's clock, which an opening (--at, --wait-open) is waited for on.</param>
public sealed class LoadTest(LoadGenOptions options, LoadRunner runner, SaleReader reader, BuyerTokenMinter? minter = null, TimeProvider? time = null)
{
    /// <summary>Reading the sale and every order back is bounded too; a stalled API fails the check instead of hanging.</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(2);

    /// <param name="stop">Ctrl+C or the host stopping: no new requests are sent, but the run is still checked and reported.</param>
    /// <param name="errors">Where a run that cannot start says why (exit code 2); <paramref name="output"/> when null.</param>
    public async Task<int> RunAsync(TextWriter output, CancellationToken stop, TextWriter? errors = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var clock = time ?? TimeProvider.System;
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

        Stampede? stampede = null;
        if (options.AwaitsOpening)
        {
            var openingClock = new OpeningClock(reader, clock);
            Opening? opening;
            string? problem;
            using (var timeout = new CancellationTokenSource(CheckTimeout))
            {
                (opening, problem) = await openingClock.FindAsync(options, timeout.Token);
            }

            if (opening is null)
            {
                (errors ?? output).WriteLine(problem);
                return ExitCodes.Usage;
            }

            stampede = new Stampede(opening, openingClock, clock);
        }

        var warmupPhase = options.Warmup > 0 ? LoadPhase.Warmup(options, runId) : null;
        var runPhase = LoadPhase.Run(options, runId);
        var untilOpening = stampede is null ? TimeSpan.Zero : stampede.Opening.At - clock.GetUtcNow();
        var buyers = MintTokens(output, warmupPhase is null ? [runPhase] : [warmupPhase, runPhase], untilOpening);

        PhaseResult? warmup = null;
        var warmupCounters = new RunCounters();
        if (warmupPhase is not null)
        {
            output.WriteLine($"Warming up with {options.Warmup} requests...");
            warmup = await runner.RunAsync(warmupPhase, buyers, warmupCounters, orders, stop);
        }

        if (stampede is not null)
        {
            WriteOpening(output, stampede.Opening, clock.GetUtcNow());
        }

        output.WriteLine($"Sending {options.Requests} requests to {options.Url} ({options.Mode.ToString().ToLowerInvariant()} mode), {options.Concurrency} at a time...");
        var counters = new RunCounters();
        using var progressStop = new CancellationTokenSource();
        var progress = new ProgressReporter(output, interactive: !Console.IsOutputRedirected, payments: options.PayRatio > 0)
            .RunAsync(counters, options.Requests, progressStop.Token);
        PhaseResult measured;
        try
        {
            measured = await runner.RunAsync(runPhase, buyers, counters, orders, stop, stampede);
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
            LastSoldOut: counters.LastSoldOut ?? warmupCounters.LastSoldOut, storedBefore, measured.Stampede);
        RunReadback readback;
        using (var timeout = new CancellationTokenSource(CheckTimeout))
        {
            readback = await reader.ReadBackAsync(evidence, buyers, timeout.Token);
        }

        var invariants = InvariantChecker.Check(evidence, readback);
        var opened = measured.Stampede is { } seen ? OpeningReport.Create(seen, readback.Sale?.SoldOut == true, readback.Orders) : null;
        var report = LoadReport.Create(options, warmup, measured, invariants, opened);
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
    /// <param name="untilOpening">How long the buyers wait for the opening first: their tokens must outlive it.</param>
    private BuyerTokens MintTokens(TextWriter output, IReadOnlyList<LoadPhase> phases, TimeSpan untilOpening)
    {
        if (options.Mode != LoadMode.Api)
        {
            return BuyerTokens.None;
        }

        var signer = minter ?? throw new InvalidOperationException("Api mode buys as buyers with tokens: the load test needs a token minter.");

        // Valid until all that follows is over, whatever the flags: each phase up to its cap, then a purchase and its
        // payment still in flight, the settle and the check.
        var lifetime = phases.Count * (options.Duration + 2 * options.Timeout) + options.Settle + CheckTimeout
            + (untilOpening > TimeSpan.Zero ? untilOpening + options.Timeout : TimeSpan.Zero);
        var buyers = BuyerTokens.Mint(signer, phases.SelectMany(phase => phase.Buyers()), lifetime);
        output.WriteLine($"Minted a token for each of {buyers.Count} buyers.");
        return buyers;
    }

    /// <summary>When the buyers will send, and how the opening was found; an opening already past is said, not refused (see --at).</summary>
    private static void WriteOpening(TextWriter output, Opening opening, DateTimeOffset now)
    {
        var source = opening.Source == OpeningSource.At
            ? "--at"
            : string.Create(CultureInfo.InvariantCulture,
                $"the sale's opensAt {opening.SaleOpensAt:O}, Redis' clock; this clock less Redis' {-opening.ClockOffset.TotalMilliseconds:+0.0;-0.0} ms, ±{opening.ClockUncertainty.TotalMilliseconds:0.0} ms");
        var wait = opening.At - now;
        output.WriteLine(wait > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"Opening at {opening.At:O} on this clock ({source}): the buyers connect and wait {wait.TotalSeconds:0.000} s.")
            : string.Create(CultureInfo.InvariantCulture, $"Opening at {opening.At:O} on this clock ({source}) passed {-wait.TotalSeconds:0.000} s ago: the buyers send as soon as they are connected."));
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
