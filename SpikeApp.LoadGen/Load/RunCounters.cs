using System.Collections.Concurrent;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>Outcome counts that every worker adds to without a lock, and a tally of the error descriptions.</summary>
public sealed class RunCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];
    private readonly ConcurrentDictionary<string, long> _problems = new(StringComparer.Ordinal);

    public long Total
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                total += Volatile.Read(ref _counts[i]);
            }

            return total;
        }
    }

    public long this[Outcome outcome] => Volatile.Read(ref _counts[(int)outcome]);

    public void Record(in Classification result)
    {
        Interlocked.Increment(ref _counts[(int)result.Outcome]);
        if (result.Problem is { } problem)
        {
            _problems.AddOrUpdate(problem, 1, static (_, count) => count + 1);
        }
    }

    public OutcomeCounts Snapshot() => new(outcome => this[outcome]);

    /// <summary>Error descriptions, most frequent first.</summary>
    public IReadOnlyDictionary<string, long> Problems() =>
        _problems.OrderByDescending(problem => problem.Value).ThenBy(problem => problem.Key, StringComparer.Ordinal)
            .ToDictionary(problem => problem.Key, problem => problem.Value, StringComparer.Ordinal);
}
