namespace SpikeApp.Api.Stock;

/// <summary>A lock-free count of the units this replica may still try to sell; <see cref="Granted"/> counts refills too.</summary>
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

    public void Return() => Interlocked.Increment(ref _remaining);

    public void Grant(int units)
    {
        Interlocked.Add(ref _granted, units);
        Interlocked.Add(ref _remaining, units);
    }
}
