using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>A sale as Redis holds it, next to this replica's slice of the same epoch.</summary>
public sealed record SaleView(SaleState State, LocalSale Local);
