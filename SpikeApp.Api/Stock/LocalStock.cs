namespace SpikeApp.Api.Stock;

/// <summary>
/// One replica's slice of a sale: a lock-free counter of the units it may still try to sell.
/// </summary>
public sealed class LocalStock(int capacity)
{
    private int _remaining = capacity;

    public int Capacity { get; } = capacity;

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
}
