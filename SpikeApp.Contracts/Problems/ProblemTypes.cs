using Microsoft.AspNetCore.Http;

namespace SpikeApp.Contracts.Problems;

/// <summary>RFC 7807 <c>type</c> values of every SpikeApp service, stable so clients can branch on them.</summary>
public static class ProblemTypes
{
    public const string Prefix = "urn:spikeapp:problem:";

    public const string SoldOut = Prefix + "sold-out";
    public const string NoSale = Prefix + "no-sale";
    public const string NoOrder = Prefix + "no-order";
    public const string OrderExpired = Prefix + "order-expired";
    public const string OrderVoided = Prefix + "order-voided";
    public const string SaleRestoring = Prefix + "sale-restoring";
    public const string RefillPending = Prefix + "refill-pending";
    public const string PreconditionFailed = Prefix + "precondition-failed";
    public const string PreconditionRequired = Prefix + "precondition-required";
    public const string InvalidInput = Prefix + "invalid-input";
    public const string Unavailable = Prefix + "unavailable";
    public const string Overloaded = Prefix + "overloaded";
    public const string NotFound = Prefix + "not-found";
    public const string MethodNotAllowed = Prefix + "method-not-allowed";
    public const string BodyTooLarge = Prefix + "body-too-large";
    public const string UnsupportedMediaType = Prefix + "unsupported-media-type";
    public const string Internal = Prefix + "internal";
    public const string AdminKeyRequired = Prefix + "admin-key-required";
    public const string AdminDisabled = Prefix + "admin-disabled";
    public const string Unauthenticated = Prefix + "unauthenticated";
    public const string NoBuyerIdentity = Prefix + "no-buyer-identity";
    public const string RateLimited = Prefix + "rate-limited";
    public const string SaleNotOpen = Prefix + "sale-not-open";
    public const string SaleClosed = Prefix + "sale-closed";

    /// <summary>For the problems the framework writes, so every error a service answers carries one of ours.</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => InvalidInput,
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
        StatusCodes.Status412PreconditionFailed => PreconditionFailed,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status428PreconditionRequired => PreconditionRequired,
        StatusCodes.Status429TooManyRequests => Overloaded,
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        _ => Internal,
    };
}
