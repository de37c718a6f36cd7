namespace SpikeApp.LoadGen.Outcomes;

public enum Outcome
{
    /// <summary>A new order: 201, or seed code 1.</summary>
    Success,

    /// <summary>200 in api mode: the buyer already had an order and got it back.</summary>
    ExistingOrder,

    /// <summary>409 sold-out, or seed 已售罄.</summary>
    SoldOut,

    /// <summary>429 (the API's <c>overloaded</c> problem): shed by admission control before anything was sold.</summary>
    Overloaded,

    /// <summary>503 (unavailable or sale-restoring), or seed 系统繁忙: the purchase may or may not have happened.</summary>
    Unavailable,

    /// <summary>Any other status or body.</summary>
    OtherError,

    /// <summary>No answer: timeout, refused or broken connection.</summary>
    Unanswered,
}
