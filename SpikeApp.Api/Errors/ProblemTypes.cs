namespace SpikeApp.Api.Errors;

/// <summary>RFC 7807 <c>type</c> values, stable so clients can branch on them.</summary>
public static class ProblemTypes
{
    public const string SoldOut = "urn:spikeapp:problem:sold-out";
    public const string NoSale = "urn:spikeapp:problem:no-sale";
    public const string NoOrder = "urn:spikeapp:problem:no-order";
    public const string OrderExpired = "urn:spikeapp:problem:order-expired";
    public const string NotYourOrder = "urn:spikeapp:problem:not-your-order";
    public const string InvalidInput = "urn:spikeapp:problem:invalid-input";
    public const string Unavailable = "urn:spikeapp:problem:unavailable";
    public const string Overloaded = "urn:spikeapp:problem:overloaded";
    public const string NotFound = "urn:spikeapp:problem:not-found";
    public const string MethodNotAllowed = "urn:spikeapp:problem:method-not-allowed";
    public const string BodyTooLarge = "urn:spikeapp:problem:body-too-large";
    public const string UnsupportedMediaType = "urn:spikeapp:problem:unsupported-media-type";
    public const string Internal = "urn:spikeapp:problem:internal";
    public const string AdminKeyRequired = "urn:spikeapp:problem:admin-key-required";
    public const string AdminDisabled = "urn:spikeapp:problem:admin-disabled";

    /// <summary>
    /// The type for problems the framework writes (binding errors, unknown routes, body limits), so every error the API
    /// answers carries one of ours.
    /// </summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => InvalidInput,
        StatusCodes.Status401Unauthorized => AdminKeyRequired,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => Overloaded,
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        _ => Internal,
    };
}
