using SpikeApp.Contracts.Orders;

namespace SpikeApp.Store;

/// <summary>One entry of a sale's order stream: an order as it stands after being created, paid or expired.</summary>
/// <param name="EntryId">The stream entry's id, to acknowledge it once the order is stored.</param>
/// <param name="TraceParent">The W3C trace context of the purchase that created the order, when it had one.</param>
public sealed record OrderEvent(string EntryId, Order Order, string? TraceParent);
