namespace SpikeApp.Api.Stock;

/// <summary>
/// One replica's slice of a sale: a lock-free counter of the units it may still try to sell. Refills add to it;
/// <see cref="Granted"/> counts every unit this replica was given in the epoch.
/// </summary>
public sealed class LocalStock(int capacity)
{
    private int _remaining = capacity;
    private long _granted = capacity;

    public long Granted => Interlocked.Read(ref _granted);

    public int Remaining => Volatile.Read(ref _remaining);

    /// <summary>Takes one unit; false when the slice is empty. Never drives the count below zero.</summary>
    public bool TryTake()
    {
        var current = Volatile.Read(ref _remaining);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _remaining, current - 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Gives back a unit taken by <see cref="TryTake"/> that was not sold.</summary>
    public void Return() => Interlocked.Increment(ref _remaining);

    /// <summary>Adds a refill of <paramref name="units"/> to the slice.</summary>
    public void Grant(int units)
    {
        Interlocked.Add(ref _granted, units);
        Interlocked.Add(ref _remaining, units);
    }
}
