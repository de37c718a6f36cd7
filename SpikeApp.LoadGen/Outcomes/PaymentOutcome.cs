namespace SpikeApp.LoadGen.Outcomes;

public enum PaymentOutcome
{
    Paid,

    /// <summary>409 <c>order-expired</c>: the payment window had passed and the unit went back on sale.</summary>
    Expired,

    /// <summary>409 <c>order-voided</c>: the order was still pending when its sale was reset, and ended with that round.</summary>
    Voided,

    /// <summary>Any other answer, or none: the payment may or may not have gone through (503, timeout).</summary>
    OtherError,
}
