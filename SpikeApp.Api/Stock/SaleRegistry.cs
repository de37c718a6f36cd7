using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// This replica's view of every sale it has seen, keyed by sale id, and the one place that turns what Redis says
/// about a sale into local state. Reads are lock-free; a sale is loaded from Redis the first time it is asked for,
/// and replaced (never mutated) when Redis shows a newer epoch.
/// </summary>
public sealed class SaleRegistry(RedisSaleStore store, IOptions<SpikeOptions> options)
{
    private readonly ConcurrentDictionary<string, LocalSale> _sales = new(StringComparer.Ordinal);

    public ICollection<LocalSale> Sales => _sales.Values;

    /// <summary>The sale, or null when Redis has no such sale. Answers from memory once the sale is known.</summary>
    public ValueTask<LocalSale?> GetAsync(string saleId) =>
        _sales.TryGetValue(saleId, out var sale) ? ValueTask.FromResult<LocalSale?>(sale) : LoadAsync(saleId);

    /// <summary>Re-reads a sale from Redis, e.g. after a reset was announced or the connection came back.</summary>
    public async Task<SaleView?> RefreshAsync(string saleId)
    {
        if (await store.GetAsync(saleId) is not SaleState state)
        {
            _sales.TryRemove(saleId, out _);
            return null;
        }

        return Adopt(saleId, state);
    }

    /// <summary>Creates the sale in Redis unless it exists (a restart never resets a running sale), and joins it.</summary>
    public async Task<SaleView> CreateIfAbsentAsync(string saleId, long total) =>
        Adopt(saleId, await store.CreateIfAbsentAsync(saleId, total));

    /// <summary>Creates or resets the sale in Redis and takes a fresh slice of the new epoch.</summary>
    public async Task<SaleView> ResetAsync(string saleId, long total) =>
        Adopt(saleId, await store.ResetAsync(saleId, total));

    private async ValueTask<LocalSale?> LoadAsync(string saleId) => (await RefreshAsync(saleId))?.Local;

    private SaleView Adopt(string saleId, SaleState state)
    {
        var sale = _sales.AddOrUpdate(
            saleId,
            static (id, arg) => arg.Registry.Create(id, arg.State),
            // Epochs only grow: a slower read of an older epoch must not refill a slice.
            static (id, existing, arg) => existing.Epoch >= arg.State.Epoch ? existing : arg.Registry.Create(id, arg.State),
            (Registry: this, State: state));

        if (state.SoldOut && sale.Epoch == state.Epoch)
        {
            sale.MarkSoldOutInRedis();
        }

        return new SaleView(state, sale);
    }

    private LocalSale Create(string saleId, SaleState state) =>
        new(saleId, state.Epoch, options.Value.SliceFor(state.Total));
}
