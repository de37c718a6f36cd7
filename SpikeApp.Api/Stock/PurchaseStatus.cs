namespace SpikeApp.Api.Stock;

/// <summary>How a purchase ended, as the HTTP answer needs it.</summary>
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
