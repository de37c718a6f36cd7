namespace SpikeApp.Api.Sales;

/// <summary>RFC 7807 <c>type</c> values, stable so clients can branch on them.</summary>
public static class ProblemTypes
{
    public const string SoldOut = "urn:spikeapp:problem:sold-out";
    public const string NoSale = "urn:spikeapp:problem:no-sale";
    public const string NoOrder = "urn:spikeapp:problem:no-order";
    public const string InvalidInput = "urn:spikeapp:problem:invalid-input";
    public const string Unavailable = "urn:spikeapp:problem:unavailable";
    public const string AdminKeyRequired = "urn:spikeapp:problem:admin-key-required";
    public const string AdminDisabled = "urn:spikeapp:problem:admin-disabled";
}
