using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

public sealed record SaleView(SaleState State, LocalSale Local);
