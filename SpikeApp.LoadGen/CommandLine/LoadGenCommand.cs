using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SpikeApp.LoadGen.CommandLine;

/// <summary>A value that does not parse, or is out of range (<see cref="LoadGenOptions.Validate"/>), is exit code 2 before anything is sent.</summary>
public sealed partial class LoadGenCommand
{
    private const string About = """
        Sends purchases to the SpikeApp flash-sale API like ab, pays for some (--pay-ratio), then checks from the API
        that nothing was oversold. In api mode each buyer sends a bearer token signed with the API's dev key
        (Authentication:Schemes:Bearer:SigningKeys, which the AppHost passes to the API and to this tool).

        Ctrl+C stops sending, waits for the requests in flight and still checks and reports.
        Exit codes: 0 every invariant holds, 1 an invariant failed, 2 usage error (a bad flag, or api mode without the key).
        """;

    private readonly RootCommand _command = new(About);
    private readonly List<Action<ParseResult, LoadGenOptions>> _readers = [];

    public LoadGenCommand()
    {
        Add(Address("--url", "API address: http://127.0.0.1:5080, or http://gateway through service discovery (required)", "http://127.0.0.1:5080"),
            (options, url) => options.Url = url);
        Add(new Option<int>("--requests", "-n") { HelpName = "N", Description = "requests to send (default 1000)" },
            (options, requests) => options.Requests = requests);
        Add(new Option<int>("--concurrency", "-c") { HelpName = "N", Description = "requests in flight at once, over keep-alive connections (default 10)" },
            (options, concurrency) => options.Concurrency = concurrency);
        Add(Time("--duration", "stop sending after TIME even if -n is not reached: 500ms, 30s, 5m, 1h (default 5m)"),
            (options, duration) => options.Duration = duration);
        Add(new Option<int?>("--users") { HelpName = "N", Description = "distinct buyers, api mode; fewer than -n sends buyers back for a second try (default -n)" },
            (options, users) => options.Users = users);
        Add(new Option<string>("--sale") { HelpName = "ID", Description = "sale to buy from and check afterwards (default \"default\")" },
            (options, sale) => options.Sale = sale);
        Add(new Option<LoadMode>("--mode") { Description = "api: POST /api/sales/{sale}/purchases; seed: GET /buy/skill on the API's default sale (default api)" }
                .AcceptOnlyFromAmong("api", "seed"),
            (options, mode) => options.Mode = mode);
        Add(new Option<int>("--warmup") { HelpName = "N", Description = "requests sent first and left out of the report (default 0)" },
            (options, warmup) => options.Warmup = warmup);
        Add(Time("--timeout", "per-request timeout; a request without an answer by then is \"unanswered\" (default 10s)"),
            (options, timeout) => options.Timeout = timeout);
        Add(new Option<string>("--json") { HelpName = "FILE", Description = "also write the report, with the invariant checks, as JSON to FILE" },
            (options, path) => options.JsonPath = path);
        Add(new Option<bool>("--shared") { Description = "other clients buy from the sale too: skip comparing Redis' and PostgreSQL's counts with this run's" },
            (options, shared) => options.Shared = shared);
        Add(Parsed<double>("--pay-ratio", "R", "share of buyers, 0 to 1, who pay for a new order at once (api mode); the rest abandon it to expire. Same buyers every run (default 0)",
                (string value, out double ratio) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out ratio), "a number such as 0.7"),
            (options, ratio) => options.PayRatio = ratio);
        Add(Address("--orders-url", "order processor address, http://orders under Aspire: with --pay-ratio, check each paid order is in PostgreSQL once", "http://127.0.0.1:5090"),
            (options, url) => options.OrdersUrl = url);
        Add(Time("--settle", "wait after the run, before the checks, for unpaid orders to expire and the order stream to drain (default 0)"),
            (options, settle) => options.Settle = settle);
        Add(Parsed<DateTimeOffset>("--at", "TIME", "every buyer connects, waits until TIME on this machine's clock, then all send at once: an ISO 8601 time with its offset",
                TryParseInstant, "an ISO 8601 time with its offset, such as 2026-12-05T09:00:00Z"),
            (options, at) => options.At = at);
        Add(new Option<bool>("--wait-open") { Description = "as --at, at the sale's opensAt, read from the sale with the server's time to correct this machine's clock" },
            (options, waitOpen) => options.WaitOpen = waitOpen);

        // --version would print the assembly's version, which says nothing about a load test.
        _command.Options.Remove(_command.Options.OfType<VersionOption>().Single());
    }

    public async Task<int> InvokeAsync(IReadOnlyList<string> args, Func<LoadGenOptions, Task<int>> runLoadTest, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(runLoadTest);
        ArgumentNullException.ThrowIfNull(error);
        var parseResult = _command.Parse(args);
        if (parseResult.Action is HelpAction)
        {
            return parseResult.Invoke(new InvocationConfiguration { Output = output });
        }

        // A value that did not parse leaves nothing to range-check.
        var options = parseResult.Errors.Count == 0 ? ReadOptions(parseResult) : null;
        List<string> problems = options?.Validate().ToList() ?? [.. parseResult.Errors.Select(problem => problem.Message)];
        if (options is not null && problems.Count == 0)
        {
            return await runLoadTest(options);
        }

        // Not the parser's own error action: it exits with 1, which here means an invariant failed.
        problems.ForEach(error.WriteLine);
        error.WriteLine();
        _command.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = error });
        return ExitCodes.Usage;
    }

    private LoadGenOptions ReadOptions(ParseResult parseResult)
    {
        var options = new LoadGenOptions();
        _readers.ForEach(read => read(parseResult, options));
        return options;
    }

    private void Add<T>(Option<T> option, Action<LoadGenOptions, T> set)
    {
        _command.Options.Add(option);
        _readers.Add((parseResult, options) =>
        {
            if (parseResult.GetResult(option) is not null)
            {
                set(options, parseResult.GetValue(option)!);
            }
        });
    }

    private static Option<Uri> Address(string name, string description, string example) =>
        Parsed<Uri>(name, "URL", description, (string value, out Uri? url) => Uri.TryCreate(value, UriKind.Absolute, out url), $"an absolute address such as {example}");

    private static Option<TimeSpan> Time(string name, string description) =>
        Parsed<TimeSpan>(name, "TIME", description, TryParseTime, "a duration such as 500ms, 30s, 5m or 1h");

    /// <summary>An option whose values System.CommandLine has no parser for; a bad value is a parse error that names the flag.</summary>
    private static Option<T> Parsed<T>(string name, string helpName, string description, TryParse<T> tryParse, string expected) => new(name)
    {
        HelpName = helpName,
        Description = description,
        CustomParser = result =>
        {
            var value = result.Tokens[0].Value;
            if (!tryParse(value, out var parsed))
            {
                result.AddError($"{name}: '{value}' is not {expected}.");
            }

            return parsed;
        },
    };

    /// <summary>Reads 500ms, 30s, 5m, 1h, 1.5s; a bare number is seconds.</summary>
    private static bool TryParseTime(string value, out TimeSpan time)
    {
        var match = TimePattern().Match(value);
        var milliseconds = match.Success
            ? double.Parse(match.Groups["amount"].ValueSpan, CultureInfo.InvariantCulture) * match.Groups["unit"].Value switch
            {
                "ms" => 1,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => 1_000,
            }
            : double.NaN;
        var fits = milliseconds <= TimeSpan.MaxValue.TotalMilliseconds;
        time = fits ? TimeSpan.FromMilliseconds(milliseconds) : default;
        return fits;
    }

    /// <summary>An absolute time only: without its offset, 09:00 would be a different moment on every machine.</summary>
    private static bool TryParseInstant(string value, out DateTimeOffset instant)
    {
        instant = default;
        return InstantPattern().IsMatch(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    private delegate bool TryParse<T>(string value, out T? parsed);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)(?<unit>ms|s|m|h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();
}
