using System.Text.RegularExpressions;

namespace SpikeApp.LoadGen;

/// <summary>Rejected by <see cref="Validate"/> before the host starts, so a bad value is exit code 2 naming its flag, not a crash.</summary>
public sealed partial class LoadGenOptions
{
    public const int MaxConcurrency = 10_000;
    public const int MaxWarmup = 1_000_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxSettle = TimeSpan.FromHours(1);

    /// <summary>The furthest opening a run waits for: the buyers' tokens must outlive the wait.</summary>
    public static readonly TimeSpan MaxWaitForOpening = TimeSpan.FromHours(24);

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

    public string? JsonPath { get; set; }

    /// <summary>Other clients buy from the same sale, so Redis' sold count cannot be matched against this run's successes.</summary>
    public bool Shared { get; set; }

    /// <summary>The share of buyers (api mode) who pay for a new order at once; the others abandon it. 0: nobody pays.</summary>
    public double PayRatio { get; set; }

    /// <summary>The order processor's address; with it, the paid orders are also looked up in PostgreSQL.</summary>
    public Uri? OrdersUrl { get; set; }

    /// <summary>How long to wait after the run before the checks: unpaid orders expire, the order stream drains.</summary>
    public TimeSpan Settle { get; set; }

    /// <summary>
    /// The opening on this machine's clock: every buyer connects, waits for it, then all send at once. A time already
    /// past is allowed (see <see cref="Validate"/>): the buyers then stampede as soon as they are connected.
    /// </summary>
    public DateTimeOffset? At { get; set; }

    /// <summary>As <see cref="At"/>, the opening read from the sale (<c>opensAt</c>, Redis' clock) and this clock's offset to the server's.</summary>
    public bool WaitOpen { get; set; }

    public int EffectiveUsers => Users ?? Requests;

    public bool AwaitsOpening => At is not null || WaitOpen;

    /// <summary>Every problem with these options, each naming its flag; empty when they are usable.</summary>
    public IEnumerable<string> Validate()
    {
        var concurrencyInRange = Concurrency is >= 1 and <= MaxConcurrency;
        (bool Broken, string Problem)[] rules =
        [
            (Url is null, "--url is required, e.g. --url http://127.0.0.1:5080 (or http://gateway under Aspire)."),
            (Url is not null && !IsHttpAddress(Url), $"--url must be an absolute http:// or https:// address without a query, not '{Url?.OriginalString}'."),
            (Requests < 1, "-n (requests) must be at least 1."),
            (!concurrencyInRange, $"-c (concurrency) must be from 1 to {MaxConcurrency}."),

            // As ab does: more workers than requests is almost always a swapped -n and -c.
            (concurrencyInRange && Concurrency > Requests && Requests >= 1, $"-c ({Concurrency}) cannot exceed -n ({Requests})."),
            (Duration <= TimeSpan.Zero || Duration > MaxDuration, "--duration must be more than 0 and at most 24h."),
            (Timeout <= TimeSpan.Zero || Timeout > MaxTimeout, "--timeout must be more than 0 and at most 5m."),
            (Users is < 1, "--users must be at least 1."),
            (Users is not null && Mode != LoadMode.Api, "--users applies to --mode api only: the seed endpoint makes up an anonymous buyer per request."),
            (Sale is null || !SalePattern().IsMatch(Sale), "--sale must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'."),
            (Warmup is < 0 or > MaxWarmup, $"--warmup must be from 0 to {MaxWarmup}."),
            (double.IsNaN(PayRatio) || PayRatio is < 0 or > 1, "--pay-ratio must be from 0 to 1."),
            (PayRatio is > 0 and <= 1 && Mode != LoadMode.Api, "--pay-ratio applies to --mode api only: the seed endpoint hands out no order to pay."),
            (OrdersUrl is not null && !IsHttpAddress(OrdersUrl),
                $"--orders-url must be an absolute http:// or https:// address without a query, not '{OrdersUrl?.OriginalString}'."),
            (Settle < TimeSpan.Zero || Settle > MaxSettle, "--settle must be from 0 to 1h."),
            (JsonFolder is not null && !Directory.Exists(JsonFolder), $"--json: folder '{JsonFolder}' does not exist."),
            (At is not null && WaitOpen, "--at and --wait-open are exclusive: --at names the opening, --wait-open reads it from the sale."),
            (AwaitsOpening && Warmup > 0, "--warmup cannot be combined with --at or --wait-open: before the opening every purchase is refused."),

            // A time in the past is not refused: minting 20,000 tokens and connecting can outlast a lead that was short,
            // and a stampede on an open sale is still a measurement. The run says how late it began.
            (At > DateTimeOffset.UtcNow + MaxWaitForOpening, "--at must be at most 24h ahead."),
        ];
        return rules.Where(rule => rule.Broken).Select(rule => rule.Problem);
    }

    private string? JsonFolder => JsonPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(JsonPath));

    private static bool IsHttpAddress(Uri url) => url.IsAbsoluteUri && url.Scheme is ("http" or "https") && string.IsNullOrEmpty(url.Query);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex SalePattern();
}
