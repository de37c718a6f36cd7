using SpikeApp.Contracts.Orders;

namespace SpikeApp.Store;

public enum PaymentStatus
{
    /// <summary>The order is paid (now, or already before with the same answer).</summary>
    Paid,

    /// <summary>Its deadline passed: the order is expired and its unit is back on sale.</summary>
    Expired,

    /// <summary>The order belongs to another buyer; nothing changed.</summary>
    NotYours,

    /// <summary>The sale has no such order.</summary>
    NoOrder,
}

/// <summary>What paying an order did, and the order as it now stands.</summary>
public sealed record Payment(PaymentStatus Status, Order? Order);
