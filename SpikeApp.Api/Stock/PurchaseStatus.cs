namespace SpikeApp.Api.Stock;

/// <summary>How a purchase ended, as the HTTP answer needs it.</summary>
public enum PurchaseStatus
{
    Created,
    Existing,
    SoldOut,
    NoSale,
    Unavailable,
}
