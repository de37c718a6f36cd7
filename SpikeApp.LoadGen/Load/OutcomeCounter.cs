using System.Collections.Concurrent;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

public sealed class OutcomeCounter<TOutcome>(OutcomeKind<TOutcome> kind) where TOutcome : struct, Enum
{
    private readonly long[] _counts = new long[kind.All.Count];
    private readonly ConcurrentDictionary<string, long> _problems = new(StringComparer.Ordinal);

    public long Count(TOutcome outcome) => Volatile.Read(ref _counts[kind.Index(outcome)]);

    public void Record(in Classification<TOutcome> result)
    {
        Interlocked.Increment(ref _counts[kind.Index(result.Outcome)]);
        if (result.Problem is { } problem)
        {
            _problems.AddOrUpdate(problem, 1, static (_, count) => count + 1);
        }
    }

    /// <summary>Error descriptions, most frequent first.</summary>
    public IReadOnlyDictionary<string, long> Problems() =>
        _problems.OrderByDescending(problem => problem.Value).ThenBy(problem => problem.Key, StringComparer.Ordinal)
            .ToDictionary(problem => problem.Key, problem => problem.Value, StringComparer.Ordinal);
}
