using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// This replica's view of every sale it has seen, keyed by sale id, and the one place that turns what Redis says
/// about a sale into local state. Reads are lock-free; a sale is loaded from Redis the first time it is asked for,
/// and replaced (never mutated) when Redis shows another epoch. The default sale always exists: a read that finds it
/// gone (Redis lost its data) creates it again, at a new epoch.
/// </summary>
public sealed class SaleRegistry(RedisSaleStore store, ReplicaIdentity replica, IOptions<SpikeOptions> options)
{
    /// <summary>In-doubt buyers asked about per sync; the rest wait for the next one.</summary>
    private const int MaxSettledPerSync = 256;

    private readonly ConcurrentDictionary<string, LocalSale> _sales = new(StringComparer.Ordinal);

    public ICollection<LocalSale> Sales => _sales.Values;

    /// <summary>The sale, or null when Redis has no such sale. Answers from memory once the sale is known.</summary>
    public ValueTask<LocalSale?> GetAsync(string saleId) =>
        _sales.TryGetValue(saleId, out var sale) ? ValueTask.FromResult<LocalSale?>(sale) : LoadAsync(saleId);

    /// <summary>The sale as this replica holds it now, without I/O.</summary>
    public LocalSale? Find(string saleId) => _sales.GetValueOrDefault(saleId);

    /// <summary>Re-reads a sale from Redis, e.g. for an operator's GET or after a purchase met another epoch.</summary>
    public async Task<SaleView?> RefreshAsync(string saleId) =>
        await store.GetAsync(saleId) is SaleState state
            ? Adopt(saleId, state, options.Value.Replicas)
            : await RecreateOrForgetAsync(saleId);

    /// <summary>
    /// One sync with Redis: marks this replica alive, settles in-doubt purchases, and adopts the sale's state
    /// (a new epoch, a sell-out, or units back on sale).
    /// </summary>
    public async Task<SyncOutcome> SyncAsync(string saleId)
    {
        var current = Find(saleId);
        var inDoubt = current?.TakeInDoubt(MaxSettledPerSync) ?? [];
        SyncReply? synced;
        try
        {
            synced = await store.SyncAsync(saleId, replica.Id, options.Value.PresenceTimeToLive, inDoubt);
        }
        catch (SaleStoreUnavailableException)
        {
            inDoubt.ForEach(current!.HoldInDoubt);
            throw;
        }

        if (synced is null)
        {
            return new SyncOutcome(await RecreateOrForgetAsync(saleId), AliveReplicas: 1);
        }

        // In-doubt buyers belong to the epoch they were taken in; a new epoch forgets them with the old slice.
        var (sold, returned) = current is not null && synced.State.Epoch == current.Epoch ? current.Settle(synced.InDoubtMade) : (0, 0);
        return new SyncOutcome(Adopt(saleId, synced.State, synced.AliveReplicas), synced.AliveReplicas, sold, returned);
    }

    /// <summary>Creates the sale in Redis unless it exists (a restart never resets a running sale), and joins it.</summary>
    public async Task<SaleView> CreateIfAbsentAsync(string saleId, long total) =>
        Adopt(saleId, await store.CreateIfAbsentAsync(saleId, total), options.Value.Replicas);

    /// <summary>Creates or resets the sale in Redis and takes a fresh slice of the new epoch.</summary>
    public async Task<SaleView> ResetAsync(string saleId, long total) =>
        Adopt(saleId, await store.ResetAsync(saleId, total), options.Value.Replicas);

    private async ValueTask<LocalSale?> LoadAsync(string saleId) => (await RefreshAsync(saleId))?.Local;

    private async Task<SaleView?> RecreateOrForgetAsync(string saleId)
    {
        var defaultSale = options.Value.DefaultSale;
        if (saleId == defaultSale.Id)
        {
            return await CreateIfAbsentAsync(saleId, defaultSale.Total);
        }

        _sales.TryRemove(saleId, out _);
        return null;
    }

    private SaleView Adopt(string saleId, SaleState state, int replicas)
    {
        var sale = _sales.AddOrUpdate(
            saleId,
            static (id, arg) => arg.Registry.Create(id, arg.State, arg.Replicas),
            // Another epoch, older or newer: epochs come from Redis' clock, so after Redis lost its data a new sale may
            // carry a smaller one. A stale read that wins the race costs one refused deduction, never a sale.
            static (id, existing, arg) => existing.Epoch == arg.State.Epoch ? existing : arg.Registry.Create(id, arg.State, arg.Replicas),
            (Registry: this, State: state, Replicas: replicas));

        if (sale.Epoch == state.Epoch)
        {
            if (state.SoldOut)
            {
                sale.MarkSoldOutInRedis();
            }
            else if (sale.SoldOutInRedis)
            {
                sale.ClearSoldOutInRedis();
            }
        }

        return new SaleView(state, sale);
    }

    private LocalSale Create(string saleId, SaleState state, int replicas) =>
        new(saleId, state.Epoch, options.Value.SliceFor(state.Total, replicas));
}
