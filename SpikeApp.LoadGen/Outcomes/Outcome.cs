namespace SpikeApp.LoadGen.Outcomes;

public enum Outcome
{
    /// <summary>A new order: 201, or seed code 1.</summary>
    Success,

    /// <summary>200 in api mode: the buyer already had an order and got it back.</summary>
    ExistingOrder,

    /// <summary>409 sold-out, or seed 已售罄.</summary>
    SoldOut,

    /// <summary>409 sale-not-open, or seed 活动未开始: asked before the opening, answered from memory; nothing was sold.</summary>
    NotOpen,

    /// <summary>409 sale-closed, or seed 活动已结束: asked after the sale closed, answered from memory; nothing was sold.</summary>
    Closed,

    /// <summary>429 (the API's <c>overloaded</c> problem): shed by admission control before anything was sold.</summary>
    Overloaded,

    /// <summary>503 (unavailable or sale-restoring), or seed 系统繁忙: the purchase may or may not have happened.</summary>
    Unavailable,

    /// <summary>Any other status or body.</summary>
    OtherError,

    /// <summary>No answer: timeout, refused or broken connection.</summary>
    Unanswered,
}
