namespace SpikeApp.Contracts.Problems;

/// <summary>The <c>Retry-After</c> of every 429 and 503 a SpikeApp service answers unless configured otherwise.</summary>
public static class RetryAfter
{
    public const int DefaultSeconds = 1;

    public const string DefaultValue = "1";

    /// <summary>Whole seconds, rounded up and at least one: a client told "0" would retry at once.</summary>
    public static string Seconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
