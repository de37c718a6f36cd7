using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Stock;

/// <summary>
/// This replica's view of every sale it has seen, keyed by sale id. Reads are lock-free; a sale is loaded from
/// Redis the first time it is asked for, and replaced (never mutated) when Redis shows a newer epoch.
/// </summary>
public sealed class SaleRegistry(RedisSaleStore store, IOptions<SpikeOptions> options)
{
    private readonly ConcurrentDictionary<string, LocalSale> _sales = new(StringComparer.Ordinal);

    public ICollection<LocalSale> Sales => _sales.Values;

    /// <summary>The sale, or null when Redis has no such sale. Answers from memory once the sale is known.</summary>
    public ValueTask<LocalSale?> GetAsync(string saleId) =>
        _sales.TryGetValue(saleId, out var sale) ? ValueTask.FromResult<LocalSale?>(sale) : LoadAsync(saleId);

    /// <summary>Re-reads a sale from Redis, e.g. after a reset was announced or the connection came back.</summary>
    public async ValueTask<LocalSale?> RefreshAsync(string saleId)
    {
        var state = await store.GetAsync(saleId);
        if (state is null)
        {
            _sales.TryRemove(saleId, out _);
            return null;
        }

        return Adopt(saleId, state.Value);
    }

    /// <summary>Takes Redis' state of a sale; a newer epoch replaces the local slice with a fresh one.</summary>
    public LocalSale Adopt(string saleId, SaleState state)
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

        return sale;
    }

    private async ValueTask<LocalSale?> LoadAsync(string saleId)
    {
        var state = await store.GetAsync(saleId);
        return state is null ? null : Adopt(saleId, state.Value);
    }

    private LocalSale Create(string saleId, SaleState state) =>
        new(saleId, state.Epoch, state.Total, options.Value.SliceFor(state.Total));
}
