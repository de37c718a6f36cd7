using SpikeApp.Contracts.Orders;

namespace SpikeApp.Store;

/// <param name="Epoch">The incarnation that wrote the entry; the order's own epoch is <see cref="Order"/>'s.</param>
public sealed record OrderEvent(string EntryId, long Epoch, long Round, long Seq, Order Order, string? TraceParent)
    : SaleEvent(EntryId, Order.SaleId, Epoch, Round, Seq);
