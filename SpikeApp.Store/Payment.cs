using SpikeApp.Contracts.Orders;

namespace SpikeApp.Store;

public enum PaymentStatus
{
    Paid,
    Expired,

    /// <summary>The sale was reset while the order was pending: it ended with its round.</summary>
    Voided,

    NotYours,
    NoOrder,

    /// <summary>The sale is missing or not open on this Redis server until the ledger restores or checks it; nothing changed.</summary>
    SaleClosed,
}

public sealed record Payment(PaymentStatus Status, Order? Order);
