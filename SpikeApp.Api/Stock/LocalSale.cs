using System.Collections.Concurrent;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// One replica's sale for one epoch; a new epoch replaces it, so stale state is dropped, never patched. Redis' answers
/// apply in the order Redis wrote them (<see cref="SaleState.Seq"/>), so a late one never undoes a newer one. The
/// schedule is the epoch's: changing it begins a new one.
/// </summary>
/// <param name="unsized">
/// Created before this replica joined the sale (it began the sale itself): no slice yet, until a sync that joins it or a
/// purchase's refill sizes the first one.
/// </param>
public sealed class LocalSale(string saleId, long epoch, int slice, SaleSchedule schedule = default, bool unsized = false)
{
    private readonly ConcurrentQueue<PendingPurchase> _inDoubt = new();
    private readonly Lock _applying = new();
    private long _appliedSeq = -1;
    private int _soldOutInRedis;
    private int _restoring;
    private long _soldHere;
    private int _unsized = unsized ? 1 : 0;

    public string SaleId { get; } = saleId;

    public long Epoch { get; } = epoch;

    public SaleSchedule Schedule { get; } = schedule;

    public LocalStock Stock { get; } = new(slice);

    public long SoldHere => Interlocked.Read(ref _soldHere);

    public bool SoldOutInRedis => Volatile.Read(ref _soldOutInRedis) != 0;

    public bool IsSoldOut => SoldOutInRedis || Stock.Remaining == 0;

    /// <summary>Units taken by purchases whose command reached Redis without an answer; settled by the next sync.</summary>
    public int InDoubt => _inDoubt.Count;

    /// <summary>Redis does not have the sale open (lost, or came back behind the ledger): nothing sells until the ledger acts.</summary>
    public bool IsRestoring => Volatile.Read(ref _restoring) != 0;

    public void MarkRestoring() => Volatile.Write(ref _restoring, 1);

    public void MarkSoldOutInRedis(long seq)
    {
        lock (_applying)
        {
            if (seq >= _appliedSeq)
            {
                _appliedSeq = seq;
                Volatile.Write(ref _soldOutInRedis, 1);
            }
        }
    }

    /// <param name="open">The answer came from the sale's own script, so Redis has it open.</param>
    public void Apply(SaleState state, bool open)
    {
        lock (_applying)
        {
            if (state.Seq < _appliedSeq)
            {
                return;
            }

            _appliedSeq = state.Seq;
            Volatile.Write(ref _soldOutInRedis, state.SoldOut ? 1 : 0);
            if (open)
            {
                Volatile.Write(ref _restoring, 0);
            }
        }
    }

    public void RecordSale() => Interlocked.Increment(ref _soldHere);

    /// <summary>Adds units to the slice: a refill's, or the first one.</summary>
    public void Grant(int units)
    {
        Volatile.Write(ref _unsized, 0);
        Stock.Grant(units);
    }

    /// <summary>
    /// The first slice of a sale created unsized, once, from a sync that joined it: so the first buyers after an opening
    /// find units here instead of waiting for a refill.
    /// </summary>
    public bool TryGrantFirstSlice(int units)
    {
        if (Interlocked.Exchange(ref _unsized, 0) == 0)
        {
            return false;
        }

        Stock.Grant(units);
        return true;
    }

    /// <summary>Keeps the unit of a purchase Redis may or may not have made, until a sync tells which.</summary>
    public void HoldInDoubt(PendingPurchase purchase) => _inDoubt.Enqueue(purchase);

    public List<PendingPurchase> TakeInDoubt(int max)
    {
        var purchases = new List<PendingPurchase>();
        while (purchases.Count < max && _inDoubt.TryDequeue(out var purchase))
        {
            purchases.Add(purchase);
        }

        return purchases;
    }

    /// <summary>Applies what Redis said of purchases in doubt: a unit whose order was made stays sold, any other comes back to the slice.</summary>
    public (int Sold, int Returned) Settle(IReadOnlyList<bool> made)
    {
        var sold = 0;
        foreach (var orderMade in made)
        {
            if (orderMade)
            {
                RecordSale();
                sold++;
            }
            else
            {
                Stock.Return();
            }
        }

        return (sold, made.Count - sold);
    }
}
