using System.Text.RegularExpressions;

namespace SpikeApp.LoadGen;

/// <summary>
/// One load test, as the ab-style flags describe it. <see cref="CommandLine.LoadGenCommand"/> fills it and rejects it with
/// <see cref="Validate"/> before the host starts, so a bad value is exit code 2 with the flag's name, not a crash.
/// </summary>
public sealed partial class LoadGenOptions
{
    public const int MaxConcurrency = 10_000;
    public const int MaxWarmup = 1_000_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxSettle = TimeSpan.FromHours(1);

    public Uri? Url { get; set; }

    public int Requests { get; set; } = 1000;

    public int Concurrency { get; set; } = 10;

    /// <summary>Caps the measured phase (and the warmup) in time, whatever -n says.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Distinct buyers; fewer than <see cref="Requests"/> makes buyers come back (api mode). Null: one per request.</summary>
    public int? Users { get; set; }

    public string Sale { get; set; } = "default";

    public LoadMode Mode { get; set; } = LoadMode.Api;

    public int Warmup { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where to write the JSON report, if anywhere.</summary>
    public string? JsonPath { get; set; }

    /// <summary>Other clients buy from the same sale, so Redis' sold count cannot be matched against this run's successes.</summary>
    public bool Shared { get; set; }

    /// <summary>The share of buyers (api mode) who pay for a new order at once; the others abandon it. 0: nobody pays.</summary>
    public double PayRatio { get; set; }

    /// <summary>The order processor's address; with it, the paid orders are also looked up in PostgreSQL.</summary>
    public Uri? OrdersUrl { get; set; }

    /// <summary>How long to wait after the run before the checks: unpaid orders expire, the order stream drains.</summary>
    public TimeSpan Settle { get; set; }

    public int EffectiveUsers => Users ?? Requests;

    /// <summary>Every problem with these options, each naming its flag; empty when they are usable.</summary>
    public IEnumerable<string> Validate()
    {
        if (Url is null)
        {
            yield return "--url is required, e.g. --url http://127.0.0.1:5080 (or http://gateway under Aspire).";
        }
        else if (!IsHttpAddress(Url))
        {
            yield return $"--url must be an absolute http:// or https:// address without a query, not '{Url.OriginalString}'.";
        }

        if (Requests < 1)
        {
            yield return "-n (requests) must be at least 1.";
        }

        if (Concurrency is < 1 or > MaxConcurrency)
        {
            yield return $"-c (concurrency) must be from 1 to {MaxConcurrency}.";
        }
        else if (Concurrency > Requests && Requests >= 1)
        {
            // As ab does: more workers than requests is almost always a swapped -n and -c.
            yield return $"-c ({Concurrency}) cannot exceed -n ({Requests}).";
        }

        if (Duration <= TimeSpan.Zero || Duration > MaxDuration)
        {
            yield return "--duration must be more than 0 and at most 24h.";
        }

        if (Timeout <= TimeSpan.Zero || Timeout > MaxTimeout)
        {
            yield return "--timeout must be more than 0 and at most 5m.";
        }

        if (Users is < 1)
        {
            yield return "--users must be at least 1.";
        }

        if (Users is not null && Mode != LoadMode.Api)
        {
            yield return "--users applies to --mode api only: the seed endpoint makes up an anonymous buyer per request.";
        }

        if (Sale is null || !SalePattern().IsMatch(Sale))
        {
            yield return "--sale must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.";
        }

        if (Warmup is < 0 or > MaxWarmup)
        {
            yield return $"--warmup must be from 0 to {MaxWarmup}.";
        }

        if (double.IsNaN(PayRatio) || PayRatio is < 0 or > 1)
        {
            yield return "--pay-ratio must be from 0 to 1.";
        }
        else if (PayRatio > 0 && Mode != LoadMode.Api)
        {
            yield return "--pay-ratio applies to --mode api only: the seed endpoint hands out no order to pay.";
        }

        if (OrdersUrl is not null && !IsHttpAddress(OrdersUrl))
        {
            yield return $"--orders-url must be an absolute http:// or https:// address without a query, not '{OrdersUrl.OriginalString}'.";
        }

        if (Settle < TimeSpan.Zero || Settle > MaxSettle)
        {
            yield return "--settle must be from 0 to 1h.";
        }

        if (JsonPath is not null && Path.GetDirectoryName(Path.GetFullPath(JsonPath)) is { } folder && !Directory.Exists(folder))
        {
            yield return $"--json: folder '{folder}' does not exist.";
        }
    }

    private static bool IsHttpAddress(Uri url) => url.IsAbsoluteUri && url.Scheme is ("http" or "https") && string.IsNullOrEmpty(url.Query);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex SalePattern();
}
