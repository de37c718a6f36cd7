using System.Collections.Concurrent;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// The one place that turns what Redis says into local state. Reads are lock-free; a sale is replaced, never mutated, when
/// Redis shows another epoch. A known sale Redis lost or closed is restoring until the ledger brings it back.
/// </summary>
public sealed class SaleRegistry(RedisSaleStore store, ReplicaMembership membership, RedisClock clock)
{
    /// <summary>In-doubt buyers asked about per sync; the rest wait for the next one.</summary>
    private const int MaxSettledPerSync = 256;

    private readonly ConcurrentDictionary<string, LocalSale> _sales = new(StringComparer.Ordinal);

    public ICollection<LocalSale> Sales => _sales.Values;

    public ValueTask<LocalSale?> GetAsync(string saleId) =>
        _sales.TryGetValue(saleId, out var sale) ? ValueTask.FromResult<LocalSale?>(sale) : LoadAsync(saleId);

    public LocalSale? Find(string saleId) => _sales.GetValueOrDefault(saleId);

    /// <summary>Null when Redis has no such sale and this replica never knew it; a known sale Redis lost comes back restoring.</summary>
    public async Task<SaleView?> RefreshAsync(string saleId) =>
        await store.GetAsync(saleId) is SaleState state ? Adopt(saleId, state) : Lost(saleId);

    /// <summary>Marks this replica alive, settles in-doubt purchases, and adopts the sale's state.</summary>
    public async Task<SyncOutcome> SyncAsync(string saleId)
    {
        var current = Find(saleId);
        var inDoubt = current?.TakeInDoubt(MaxSettledPerSync) ?? [];
        SyncReply synced;
        var started = clock.StartMeasuring();
        try
        {
            synced = await membership.SyncAsync(saleId, inDoubt);
        }
        catch (SaleStoreUnavailableException)
        {
            inDoubt.ForEach(purchase => current?.HoldInDoubt(purchase));
            throw;
        }

        if (synced.Availability != SaleAvailability.Open)
        {
            // Redis cannot say whether these were made: they stay in doubt, with the epoch that took them.
            inDoubt.ForEach(purchase => current?.HoldInDoubt(purchase));
            return new SyncOutcome(Lost(saleId), AliveReplicas: 1);
        }

        clock.Measure(synced.RedisNowMicroseconds, started);

        // In-doubt buyers belong to the epoch they were taken in; a new epoch forgets them with the old slice.
        var (sold, returned) = current is not null && synced.State.Epoch == current.Epoch ? current.Settle(synced.InDoubtMade) : (0, 0);
        return new SyncOutcome(Adopt(saleId, synced.State, synced.AliveReplicas, open: true), synced.AliveReplicas, sold, returned);
    }

    public async Task<(SaleBeginning Beginning, SaleView? Sale)> BeginAsync(string saleId, long total, long? expectedEpoch,
        DateTimeOffset? opensAt, DateTimeOffset? closesAt)
    {
        // A replica cannot see the ledger: an epoch above the one it last held keeps the new round after the old.
        var floor = Find(saleId)?.Epoch + 1 ?? 0;
        var beginning = await store.BeginAsync(saleId, total, expectedEpoch, floor, opensAt, closesAt);
        return (beginning, beginning.State is { } state ? Adopt(saleId, state, open: true) : null);
    }

    private async ValueTask<LocalSale?> LoadAsync(string saleId) => (await RefreshAsync(saleId))?.Local;

    private SaleView? Lost(string saleId)
    {
        if (Find(saleId) is not { } sale)
        {
            return null;
        }

        sale.MarkRestoring();
        return new SaleView(default, sale);
    }

    private SaleView Adopt(string saleId, SaleState state, int? aliveReplicas = null, bool open = false)
    {
        var sale = _sales.AddOrUpdate(
            saleId,
            static (id, arg) => arg.Registry.Create(id, arg.State, arg.AliveReplicas),
            // Another epoch, older or newer: a stale read that wins the race costs one refused deduction, never a sale.
            static (id, existing, arg) => existing.Epoch == arg.State.Epoch ? existing : arg.Registry.Create(id, arg.State, arg.AliveReplicas),
            (Registry: this, State: state, AliveReplicas: aliveReplicas));

        if (sale.Epoch == state.Epoch)
        {
            sale.Apply(state, open);
        }

        return new SaleView(state, sale);
    }

    /// <summary>Sized by the membership Redis keeps, from what remains: a replica may join a sale well under way.</summary>
    private LocalSale Create(string saleId, SaleState state, int? aliveReplicas)
    {
        var slice = membership.SliceFor(saleId, state.Remaining, aliveReplicas);
        return new(saleId, state.Epoch, slice, state.Schedule, unsized: slice == 0 && !state.SoldOut && state.Remaining > 0);
    }
}
