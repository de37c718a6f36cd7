using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost;

internal sealed class LoadGenSettings
{
    public const string SectionName = "LoadGen";

    public int Requests { get; set; } = 20_000;

    public int Concurrency { get; set; } = 100;

    /// <summary><c>api</c> (POST purchases by distinct buyers) or <c>seed</c> (<c>/buy/skill</c>).</summary>
    public string Mode { get; set; } = "api";

    public int? Users { get; set; }

    /// <summary>A time cap in LoadGen's syntax: 30s, 5m.</summary>
    public string? Duration { get; set; }

    public string? JsonReport { get; set; }

    public double? PayRatio { get; set; }

    /// <summary>A wait after the run before the checks, in LoadGen's syntax: orders expire and the stream drains meanwhile.</summary>
    public string? Settle { get; set; }

    /// <summary>
    /// Connect every buyer first and send at the sale's <c>opensAt</c> (<c>--wait-open</c>), as after the dashboard's
    /// scheduled reset; a sale already open is bought at once.
    /// </summary>
    public bool WaitOpen { get; set; } = true;

    public static LoadGenSettings From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<LoadGenSettings>() ?? new LoadGenSettings();

    public string[] ToArguments(string saleId)
    {
        var arguments = new List<string>
        {
            // Resolved by service discovery: the gateway (the public URL), and the order processor for the PostgreSQL checks.
            "--url", "http://gateway",
            "--orders-url", "http://orders",
            // Long forms only: Aspire starts the project with 'dotnet run', which would take -c as its own --configuration.
            "--requests", Requests.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--concurrency", Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--mode", Mode,
            "--sale", saleId,
        };

        if (Users is int users)
        {
            arguments.AddRange(["--users", users.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (Duration is { Length: > 0 } duration)
        {
            arguments.AddRange(["--duration", duration]);
        }

        if (PayRatio is double payRatio)
        {
            arguments.AddRange(["--pay-ratio", payRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (Settle is { Length: > 0 } settle)
        {
            arguments.AddRange(["--settle", settle]);
        }

        if (WaitOpen)
        {
            arguments.Add("--wait-open");
        }

        if (JsonReport is { Length: > 0 } jsonReport)
        {
            arguments.AddRange(["--json", Path.GetFullPath(jsonReport)]);
        }

        return [.. arguments];
    }
}
