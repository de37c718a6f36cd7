using System.Diagnostics;
using System.Runtime;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Repeats a warm-up's round of requests until the JIT has almost nothing left to compile. .NET compiles a method quickly
/// at its first call and again, optimized, in the background once it was called often enough and no new method was
/// compiled for a moment (with dynamic PGO through an instrumented step first). Code that ran a fixed number of times may
/// so still be recompiled under the first real load, on the cores that load needs; a round that compiles next to nothing
/// means the paths it runs have their final code.
/// </summary>
public static class WarmupRounds
{
    /// <summary>The first round compiles, the next ones are counted towards and meet the recompiled code.</summary>
    public const int MinRounds = 3;

    /// <summary>Bounds the warm-up when something else in the process keeps the JIT busy.</summary>
    public const int MaxRounds = 12;

    /// <summary>What a round may still compile and count as quiet: timers, exporters and health checks compile too.</summary>
    public const long QuietMethods = 20;

    /// <summary>The runtime's default tiering delay (100 ms) and a margin.</summary>
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(150);

    /// <summary>Longest wait for the background JIT to finish what a round queued.</summary>
    private static readonly TimeSpan MaxSettle = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="round"/> (given its index) and lets the JIT settle after each, at least <see cref="MinRounds"/>
    /// times, then until a round compiled at most <see cref="QuietMethods"/> methods, <see cref="MaxRounds"/> were run, or
    /// <paramref name="budget"/> has passed: warm enough then, if not quiet. Ends with a full collection (see
    /// <see cref="CompactHeap"/>).
    /// </summary>
    public static async Task<WarmupRoundsResult> RunAsync(Func<int, CancellationToken, Task> round, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        var result = await RunRoundsAsync(round, budget, cancellationToken);
        CompactHeap();
        return result;
    }

    private static async Task<WarmupRoundsResult> RunRoundsAsync(Func<int, CancellationToken, Task> round, TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        long compiled = 0;
        for (var index = 0; index < MaxRounds; index++)
        {
            var before = JitInfo.GetCompiledMethodCount();
            await round(index, cancellationToken);
            await SettleAsync(cancellationToken);
            compiled = JitInfo.GetCompiledMethodCount() - before;
            if (index + 1 < MinRounds)
            {
                continue;
            }

            if (compiled <= QuietMethods || Stopwatch.GetElapsedTime(started) >= budget)
            {
                return new WarmupRoundsResult(index + 1, compiled, compiled <= QuietMethods);
            }
        }

        return new WarmupRoundsResult(MaxRounds, compiled, Quiet: false);
    }

    /// <summary>
    /// Start-up and the warm-up leave a young generation full of objects that live as long as the process; the first
    /// collections under load would copy them, pausing the first seconds of a stampede. One full, compacting collection
    /// while nobody waits moves them to the old generation at once.
    /// </summary>
    private static void CompactHeap()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Returns once no method was compiled for <see cref="QuietPeriod"/>, or after <see cref="MaxSettle"/>.</summary>
    private static async Task SettleAsync(CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(MaxSettle.TotalSeconds * Stopwatch.Frequency);
        var compiled = JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(QuietPeriod, cancellationToken);
            var now = JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                return;
            }

            compiled = now;
        }
    }
}

/// <param name="Rounds">Rounds run.</param>
/// <param name="LastRoundCompiled">Methods the process compiled during the last round and its settling.</param>
/// <param name="Quiet">The last round compiled at most <see cref="WarmupRounds.QuietMethods"/>; false when a bound ended the warm-up.</param>
public readonly record struct WarmupRoundsResult(int Rounds, long LastRoundCompiled, bool Quiet);
