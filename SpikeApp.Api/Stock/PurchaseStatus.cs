namespace SpikeApp.Api.Stock;

public enum PurchaseStatus
{
    Created,
    Existing,
    SoldOut,
    NoSale,
    Unavailable,

    /// <summary>Redis lost the sale or came back behind the ledger: nothing is sold until the ledger restores it.</summary>
    Restoring,
}
