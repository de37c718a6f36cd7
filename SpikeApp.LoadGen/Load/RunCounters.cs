using System.Collections.Concurrent;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Load;

/// <summary>
/// Outcome counts of purchases and payments that every worker adds to without a lock, a tally of the error
/// descriptions, and when a buyer was last turned away.
/// </summary>
public sealed class RunCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];
    private readonly long[] _payments = new long[Enum.GetValues<PaymentOutcome>().Length];
    private readonly ConcurrentDictionary<string, long> _problems = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _paymentProblems = new(StringComparer.Ordinal);
    private long _lastSoldOutTicks;

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

    public long this[PaymentOutcome outcome] => Volatile.Read(ref _payments[(int)outcome]);

    /// <summary>When the last sold-out answer came (UTC), if one did: stock released before then should have been sold again.</summary>
    public DateTimeOffset? LastSoldOut => Volatile.Read(ref _lastSoldOutTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void Record(in Classification result)
    {
        Interlocked.Increment(ref _counts[(int)result.Outcome]);
        if (result.Problem is { } problem)
        {
            _problems.AddOrUpdate(problem, 1, static (_, count) => count + 1);
        }

        if (result.Outcome == Outcome.SoldOut)
        {
            InterlockedMax(ref _lastSoldOutTicks, DateTime.UtcNow.Ticks);
        }
    }

    public void RecordPayment(in PaymentClassification result)
    {
        Interlocked.Increment(ref _payments[(int)result.Outcome]);
        if (result.Problem is { } problem)
        {
            _paymentProblems.AddOrUpdate(problem, 1, static (_, count) => count + 1);
        }
    }

    public OutcomeCounts Snapshot() => new(outcome => this[outcome]);

    public PaymentCounts PaymentSnapshot() => new(outcome => this[outcome]);

    /// <summary>Error descriptions, most frequent first.</summary>
    public IReadOnlyDictionary<string, long> Problems() => MostFrequentFirst(_problems);

    /// <summary>Payment error descriptions, most frequent first.</summary>
    public IReadOnlyDictionary<string, long> PaymentProblems() => MostFrequentFirst(_paymentProblems);

    private static Dictionary<string, long> MostFrequentFirst(ConcurrentDictionary<string, long> problems) =>
        problems.OrderByDescending(problem => problem.Value).ThenBy(problem => problem.Key, StringComparer.Ordinal)
            .ToDictionary(problem => problem.Key, problem => problem.Value, StringComparer.Ordinal);

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
