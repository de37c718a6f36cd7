namespace SpikeApp.Contracts.Sales;

/// <summary>The <c>state</c> of a sale's answer.</summary>
public static class SaleStates
{
    /// <summary>Before <c>opensAt</c>: purchases are refused with <c>sale-not-open</c>.</summary>
    public const string Scheduled = "scheduled";

    public const string Open = "open";

    /// <summary>Every unit is sold or held by a pending order; an expiry may open it again.</summary>
    public const string SoldOut = "sold_out";

    /// <summary>From <c>closesAt</c> on: no new purchase, pending orders may still be paid.</summary>
    public const string Closed = "closed";
}
