namespace SpikeApp.Api.Stock;

public enum PurchaseStatus
{
    Created,
    Existing,
    SoldOut,

    /// <summary>Nothing sold: the sale still has stock but this replica's slice is being refilled; retry.</summary>
    SliceDry,

    NoSale,
    Unavailable,

    /// <summary>Before the sale's opening (Redis' clock): nothing sold, retry at the opening.</summary>
    NotOpen,

    /// <summary>Past the sale's closing: no new purchase.</summary>
    Closed,

    /// <summary>Redis lost the sale or came back behind the ledger: nothing is sold until the ledger restores it.</summary>
    Restoring,
}
