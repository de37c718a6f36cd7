using SpikeApp.Contracts.Orders;

namespace SpikeApp.Store;

public enum PaymentStatus
{
    /// <summary>The order is paid (now, or already before with the same answer).</summary>
    Paid,

    /// <summary>Its deadline passed: the order is expired and its unit is back on sale.</summary>
    Expired,

    /// <summary>The sale was reset while the order was pending: it ended with its round.</summary>
    Voided,

    /// <summary>The order belongs to another buyer; nothing changed.</summary>
    NotYours,

    /// <summary>The sale has no such order.</summary>
    NoOrder,

    /// <summary>The sale is missing or not open on this Redis server until the ledger restores or checks it; nothing changed.</summary>
    SaleClosed,
}

/// <summary>What paying an order did, and the order as it now stands.</summary>
public sealed record Payment(PaymentStatus Status, Order? Order);
