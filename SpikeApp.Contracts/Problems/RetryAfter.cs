namespace SpikeApp.Contracts.Problems;

/// <summary>The <c>Retry-After</c> of every 429 and 503 a SpikeApp service answers unless configured otherwise.</summary>
public static class RetryAfter
{
    public const int DefaultSeconds = 1;

    public const string DefaultValue = "1";
}
