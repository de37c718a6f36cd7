using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SpikeApp.LoadGen.CommandLine;

/// <summary>
/// Parses ab-style flags (<c>-n 1000 -c 10 --url ...</c>) into <see cref="LoadGenOptions"/>. Syntax errors name the flag
/// and the value; range errors come from the options' own validation, so both end as exit code 2 before anything is sent.
/// </summary>
public static partial class LoadGenCommandLine
{
    public const string Usage = """
        Usage: SpikeApp.LoadGen --url URL [options]

        Sends purchases to the SpikeApp flash-sale API like ab, then checks from the API that nothing was oversold.

          --url URL            API address: http://127.0.0.1:5080, or http://api through service discovery (required)
          -n, --requests N     requests to send (default 1000)
          -c, --concurrency N  requests in flight at once, over keep-alive connections (default 10)
          --duration TIME      stop sending after TIME even if -n is not reached: 500ms, 30s, 5m, 1h (default 5m)
          --users N            distinct buyers, api mode; fewer than -n sends buyers back for a second try (default -n)
          --sale ID            sale to buy from and check afterwards (default "default")
          --mode api|seed      api: POST /api/sales/{sale}/purchases; seed: GET /buy/skill on the API's default sale (default api)
          --warmup N           requests sent first and left out of the report (default 0)
          --timeout TIME       per-request timeout; a request without an answer by then is "unanswered" (default 10s)
          --json FILE          also write the report, with the invariant checks, as JSON to FILE
          --shared             other clients buy from the sale too: skip the "Redis sold == successes seen" check
          -h, --help           show this text

        Ctrl+C stops sending, waits for the requests in flight and still checks and reports.
        Exit codes: 0 every invariant holds, 1 an invariant failed, 2 usage error.
        """;

    private static readonly FrozenDictionary<string, Flag> Flags = new Flag[]
    {
        new(["--url"], (options, value) => Uri.TryCreate(value, UriKind.Absolute, out var url)
            ? Set(() => options.Url = url)
            : $"--url: '{value}' is not an absolute address such as http://127.0.0.1:5080."),
        new(["-n", "--requests"], (options, value) => Int("-n", value, n => options.Requests = n)),
        new(["-c", "--concurrency"], (options, value) => Int("-c", value, n => options.Concurrency = n)),
        new(["--duration"], (options, value) => Time("--duration", value, time => options.Duration = time)),
        new(["--users"], (options, value) => Int("--users", value, n => options.Users = n)),
        new(["--sale"], (options, value) => Set(() => options.Sale = value)),
        new(["--mode"], (options, value) => value switch
        {
            "api" => Set(() => options.Mode = LoadMode.Api),
            "seed" => Set(() => options.Mode = LoadMode.Seed),
            _ => $"--mode: '{value}' is not a mode; use api or seed.",
        }),
        new(["--warmup"], (options, value) => Int("--warmup", value, n => options.Warmup = n)),
        new(["--timeout"], (options, value) => Time("--timeout", value, time => options.Timeout = time)),
        new(["--json"], (options, value) => Set(() => options.JsonPath = value)),
        new(["--shared"], Switch: options => options.Shared = true),
    }.SelectMany(flag => flag.Names.Select(name => KeyValuePair.Create(name, flag))).ToFrozenDictionary(StringComparer.Ordinal);

    public static CommandLineResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LoadGenOptions();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "-h" or "--help" or "-?")
            {
                return CommandLineResult.Help();
            }

            // --name=value is accepted for long flags; short ones take the next argument, as ab's do.
            var (name, inlineValue) = args[i].StartsWith("--", StringComparison.Ordinal) && args[i].IndexOf('=', StringComparison.Ordinal) is > 2 and var equals
                ? (args[i][..equals], args[i][(equals + 1)..])
                : (args[i], null);
            if (!Flags.TryGetValue(name, out var flag))
            {
                return CommandLineResult.Failed($"Unknown option '{args[i]}'.");
            }

            if (flag.Switch is { } setSwitch)
            {
                if (inlineValue is not null)
                {
                    return CommandLineResult.Failed($"{name} takes no value.");
                }

                setSwitch(options);
                continue;
            }

            var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
            if (value is null)
            {
                return CommandLineResult.Failed($"{name} needs a value.");
            }

            if (flag.Apply!(options, value) is { } error)
            {
                return CommandLineResult.Failed(error);
            }
        }

        var problems = options.Validate().ToList();
        return problems.Count == 0
            ? CommandLineResult.Parsed(options)
            : CommandLineResult.Failed(string.Join(Environment.NewLine, problems));
    }

    /// <summary>Reads 500ms, 30s, 5m, 1h, 1.5s; a bare number is seconds.</summary>
    public static bool TryParseTime(string value, out TimeSpan time)
    {
        time = default;
        var match = TimePattern().Match(value ?? "");
        if (!match.Success || !double.TryParse(match.Groups["amount"].ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var milliseconds = amount * match.Groups["unit"].Value switch
        {
            "ms" => 1,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => 1_000,
        };
        if (milliseconds > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        time = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    private static string? Set(Action apply)
    {
        apply();
        return null;
    }

    private static string? Int(string name, string value, Action<int> apply) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? Set(() => apply(number))
            : $"{name}: '{value}' is not a whole number.";

    private static string? Time(string name, string value, Action<TimeSpan> apply) =>
        TryParseTime(value, out var time)
            ? Set(() => apply(time))
            : $"{name}: '{value}' is not a duration such as 500ms, 30s, 5m or 1h.";

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)(?<unit>ms|s|m|h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    /// <summary>A flag that takes a value (<paramref name="Apply"/> returns an error or null), or a switch.</summary>
    private sealed record Flag(string[] Names, Func<LoadGenOptions, string, string?>? Apply = null, Action<LoadGenOptions>? Switch = null);
}
