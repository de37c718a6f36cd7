using SpikeApp.Contracts.Orders;

namespace SpikeApp.Store;

/// <summary>An order as it stands after being created, paid or expired.</summary>
/// <param name="Epoch">The incarnation that wrote the entry; the order's own epoch is <see cref="Order"/>'s.</param>
/// <param name="TraceParent">The W3C trace context of the purchase that created the order, when it had one.</param>
public sealed record OrderEvent(string EntryId, long Epoch, long Round, long Seq, Order Order, string? TraceParent)
    : SaleEvent(EntryId, Order.SaleId, Epoch, Round, Seq);
