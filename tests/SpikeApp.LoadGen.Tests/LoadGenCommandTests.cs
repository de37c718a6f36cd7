using SpikeApp.LoadGen.CommandLine;

namespace SpikeApp.LoadGen.Tests;

public class LoadGenCommandTests
{
    private static readonly string NewLine = Environment.NewLine;

    [Fact]
    public async Task EveryFlagIsRead()
    {
        var options = await OptionsAsync(
            "--url", "http://api", "-n", "20000", "-c", "100", "--duration", "30s", "--users", "500", "--sale", "s-1_A",
            "--mode", "api", "--warmup", "200", "--json", "report.json", "--timeout", "750ms", "--shared",
            "--pay-ratio", "0.25", "--orders-url", "http://orders", "--settle", "5s");

        Assert.Equal(new Uri("http://api"), options.Url);
        Assert.Equal(20000, options.Requests);
        Assert.Equal(100, options.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Duration);
        Assert.Equal(500, options.Users);
        Assert.Equal(500, options.EffectiveUsers);
        Assert.Equal("s-1_A", options.Sale);
        Assert.Equal(LoadMode.Api, options.Mode);
        Assert.Equal(200, options.Warmup);
        Assert.Equal("report.json", options.JsonPath);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.Timeout);
        Assert.True(options.Shared);
        Assert.Equal(0.25, options.PayRatio);
        Assert.Equal(new Uri("http://orders"), options.OrdersUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Settle);
        Assert.Null(options.At);
        Assert.False(options.WaitOpen);
    }

    [Fact]
    public async Task DefaultsNeedOnlyTheUrl()
    {
        var options = await OptionsAsync("--url", "http://127.0.0.1:5080");

        Assert.Equal(new Uri("http://127.0.0.1:5080"), options.Url);
        Assert.Equal(1000, options.Requests);
        Assert.Equal(10, options.Concurrency);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Duration);
        Assert.Null(options.Users);
        Assert.Equal(1000, options.EffectiveUsers);
        Assert.Equal("default", options.Sale);
        Assert.Equal(LoadMode.Api, options.Mode);
        Assert.Equal(0, options.Warmup);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Null(options.JsonPath);
        Assert.False(options.Shared);
        Assert.Equal(0, options.PayRatio);
        Assert.Null(options.OrdersUrl);
        Assert.Equal(TimeSpan.Zero, options.Settle);
        Assert.Null(options.At);
        Assert.False(options.WaitOpen);
        Assert.False(options.AwaitsOpening);
    }

    [Theory]
    [InlineData("2026-12-05T09:00:00Z", "2026-12-05T09:00:00+00:00")]
    [InlineData("2026-12-05T09:00Z", "2026-12-05T09:00:00+00:00")]
    [InlineData("2026-12-05T09:00:00.250Z", "2026-12-05T09:00:00.25+00:00")]
    [InlineData("2026-12-05T10:00:00+01:00", "2026-12-05T10:00:00+01:00")]
    public async Task AtTakesAnAbsoluteTime(string text, string instant)
    {
        var options = await OptionsAsync("--url", "http://api", "--at", text);

        Assert.Equal((DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), true), (options.At, options.AwaitsOpening));
    }

    [Fact]
    public async Task WaitOpenIsAFlag()
    {
        var options = await OptionsAsync("--url", "http://api", "--wait-open");

        Assert.Equal((null, true, true), (options.At, options.WaitOpen, options.AwaitsOpening));
    }

    [Fact]
    public async Task AnAtInThePastIsAllowed() =>
        Assert.Equal(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), (await OptionsAsync("--url", "http://api", "--at", "2020-01-01T00:00:00Z")).At);

    [Fact]
    public async Task LongNamesReadLikeTheShortFlags()
    {
        var options = await OptionsAsync("--url", "http://api", "--requests", "50", "--concurrency", "5");

        Assert.Equal((50, 5), (options.Requests, options.Concurrency));
    }

    [Fact]
    public async Task LongFlagsTakeNameEqualsValue()
    {
        var options = await OptionsAsync("--url=https://shop.example/prefix", "--requests=50", "--mode=seed", "--duration=2m");

        Assert.Equal(
            (new Uri("https://shop.example/prefix"), 50, LoadMode.Seed, TimeSpan.FromMinutes(2)),
            (options.Url, options.Requests, options.Mode, options.Duration));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("30", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    public async Task DurationsTakeAUnit(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), (await OptionsAsync("--url", "http://api", "--duration", text)).Duration);

    [Theory]
    [InlineData("-c (concurrency) must be from 1 to 10000.", "--url", "http://api", "-c", "0")]
    [InlineData("-c (concurrency) must be from 1 to 10000.", "--url", "http://api", "-n", "20000", "-c", "10001")]
    [InlineData("-c (11) cannot exceed -n (10).", "--url", "http://api", "-n", "10", "-c", "11")]
    [InlineData("Cannot parse argument 'abc' for option '--requests' as expected type 'System.Int32'.", "--url", "http://api", "-n", "abc")]
    [InlineData("-n (requests) must be at least 1.", "--url", "http://api", "-n", "-5")]
    [InlineData("-n (requests) must be at least 1.", "--url", "http://api", "-n", "0", "-c", "1")]
    [InlineData("Unrecognized command or argument '--bogus'.", "--url", "http://api", "--bogus")]
    [InlineData("Unrecognized command or argument 'extra'.", "--url", "http://api", "extra")]
    [InlineData("--url is required, e.g. --url http://127.0.0.1:5080 (or http://gateway under Aspire).", "-n", "10")]
    [InlineData("--url: 'api' is not an absolute address such as http://127.0.0.1:5080.", "--url", "api")]
    [InlineData("--url must be an absolute http:// or https:// address without a query, not 'ftp://api/'.", "--url", "ftp://api/")]
    [InlineData("Argument 'grpc' not recognized. Must be one of:\n\t'api'\n\t'seed'", "--url", "http://api", "--mode", "grpc")]
    [InlineData("Argument '1' not recognized. Must be one of:\n\t'api'\n\t'seed'", "--url", "http://api", "--mode", "1")]
    [InlineData("--duration: '10 minutes' is not a duration such as 500ms, 30s, 5m or 1h.", "--url", "http://api", "--duration", "10 minutes")]
    [InlineData("--duration: '9999999999h' is not a duration such as 500ms, 30s, 5m or 1h.", "--url", "http://api", "--duration", "9999999999h")]
    [InlineData("--duration must be more than 0 and at most 24h.", "--url", "http://api", "--duration", "0s")]
    [InlineData("--duration must be more than 0 and at most 24h.", "--url", "http://api", "--duration", "25h")]
    [InlineData("--timeout must be more than 0 and at most 5m.", "--url", "http://api", "--timeout", "6m")]
    [InlineData("--users must be at least 1.", "--url", "http://api", "--users", "0")]
    [InlineData("--users applies to --mode api only: the seed endpoint makes up an anonymous buyer per request.", "--url", "http://api", "--mode", "seed", "--users", "5")]
    [InlineData("--sale must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.", "--url", "http://api", "--sale", "a/b")]
    [InlineData("--warmup must be from 0 to 1000000.", "--url", "http://api", "--warmup", "1000001")]
    [InlineData("Required argument missing for option: '-c'.", "--url", "http://api", "-c")]
    [InlineData("Unrecognized command or argument 'yes'.", "--url", "http://api", "--shared=yes")]
    [InlineData("--json: folder '/no/such/folder' does not exist.", "--url", "http://api", "--json", "/no/such/folder/report.json")]
    [InlineData("--pay-ratio must be from 0 to 1.", "--url", "http://api", "--pay-ratio", "1.5")]
    [InlineData("--pay-ratio must be from 0 to 1.", "--url", "http://api", "--pay-ratio", "-0.1")]
    [InlineData("--pay-ratio must be from 0 to 1.", "--url", "http://api", "--pay-ratio", "NaN")]
    [InlineData("--pay-ratio: 'half' is not a number such as 0.7.", "--url", "http://api", "--pay-ratio", "half")]
    [InlineData("--pay-ratio: '0,5' is not a number such as 0.7.", "--url", "http://api", "--pay-ratio", "0,5")]
    [InlineData("--pay-ratio applies to --mode api only: the seed endpoint hands out no order to pay.", "--url", "http://api", "--mode", "seed", "--pay-ratio", "0.5")]
    [InlineData("--orders-url: 'orders' is not an absolute address such as http://127.0.0.1:5090.", "--url", "http://api", "--orders-url", "orders")]
    [InlineData("--orders-url must be an absolute http:// or https:// address without a query, not 'http://orders/?x=1'.", "--url", "http://api", "--orders-url", "http://orders/?x=1")]
    [InlineData("--settle must be from 0 to 1h.", "--url", "http://api", "--settle", "61m")]
    [InlineData("--settle: 'soon' is not a duration such as 500ms, 30s, 5m or 1h.", "--url", "http://api", "--settle", "soon")]
    [InlineData("--at: '09:00' is not an ISO 8601 time with its offset, such as 2026-12-05T09:00:00Z.", "--url", "http://api", "--at", "09:00")]
    [InlineData("--at: '2026-12-05T09:00:00' is not an ISO 8601 time with its offset, such as 2026-12-05T09:00:00Z.", "--url", "http://api", "--at", "2026-12-05T09:00:00")]
    [InlineData("--at: '2026-13-05T09:00:00Z' is not an ISO 8601 time with its offset, such as 2026-12-05T09:00:00Z.", "--url", "http://api", "--at", "2026-13-05T09:00:00Z")]
    [InlineData("--at must be at most 24h ahead.", "--url", "http://api", "--at", "2099-01-01T00:00:00Z")]
    [InlineData("--at and --wait-open are exclusive: --at names the opening, --wait-open reads it from the sale.", "--url", "http://api", "--at", "2026-12-05T09:00:00Z", "--wait-open")]
    [InlineData("--warmup cannot be combined with --at or --wait-open: before the opening every purchase is refused.", "--url", "http://api", "--wait-open", "--warmup", "10")]
    [InlineData("Unrecognized command or argument 'yes'.", "--url", "http://api", "--wait-open", "yes")]
    public async Task EachUsageErrorNamesItsFlag(string error, params string[] args) =>
        Assert.Equal(await UsageErrorAsync(error.ReplaceLineEndings()), await InvokeAsync(args));

    [Fact]
    public async Task SeveralProblemsAreAllReported()
    {
        var problems = string.Join(NewLine,
            "--url is required, e.g. --url http://127.0.0.1:5080 (or http://gateway under Aspire).",
            "-c (concurrency) must be from 1 to 10000.",
            "--sale must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.");

        Assert.Equal(await UsageErrorAsync(problems), await InvokeAsync("-c", "0", "--sale", "a b"));
    }

    [Fact]
    public async Task AUsageErrorPrintsTheErrorThenTheHelpToStandardError()
    {
        var invocation = await InvokeAsync("-n", "abc");

        Assert.Equal("", invocation.Output);
        Assert.Equal(
            "Cannot parse argument 'abc' for option '--requests' as expected type 'System.Int32'." + NewLine + NewLine + await HelpAsync(),
            invocation.Error);
    }

    [Fact]
    public async Task ZeroAndOneAreValidPayRatios() =>
        Assert.Equal((0.0, 1.0), ((await OptionsAsync("--url", "http://api", "--pay-ratio", "0")).PayRatio, (await OptionsAsync("--url", "http://api", "--pay-ratio=1")).PayRatio));

    [Fact]
    public async Task ABadPayRatioExitsWithTwoWithoutRunning()
    {
        var invocation = await InvokeAsync("--url", "http://api", "--pay-ratio", "2");

        Assert.Equal((2, null), (invocation.ExitCode, invocation.Options));
    }

    [Fact]
    public async Task AUsageErrorExitsWithTwoWithoutRunning()
    {
        var invocation = await InvokeAsync("--url", "http://api", "-c", "0");

        Assert.Equal((2, null), (invocation.ExitCode, invocation.Options));
    }

    [Fact]
    public async Task HelpExitsWithZeroWithoutRunningEvenWithoutTheUrl()
    {
        var invocation = await InvokeAsync("--help");

        Assert.Equal((0, null, ""), (invocation.ExitCode, invocation.Options, invocation.Error));
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task HelpHasAShortFlag(string flag) =>
        Assert.Equal(await HelpAsync(), (await InvokeAsync("--url", "http://api", flag)).Output);

    [Fact]
    public async Task HelpWinsOverABadValue() =>
        Assert.Equal(await HelpAsync(), (await InvokeAsync("-n", "abc", "--help")).Output);

    [Fact]
    public async Task HelpListsEveryFlag()
    {
        var help = await HelpAsync();

        Assert.All(
            ["--url <URL>", "-n, --requests <N>", "-c, --concurrency <N>", "--duration <TIME>", "--users <N>", "--sale <ID>",
             "--mode <api|seed>", "--warmup <N>", "--timeout <TIME>", "--json <FILE>", "--shared", "--pay-ratio <R>", "--orders-url <URL>",
             "--settle <TIME>", "--at <TIME>", "--wait-open", "-?, -h, --help"],
            flag => Assert.Contains(NewLine + "  " + flag + " ", help, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HelpOpensWithTheDescription()
    {
        var help = await HelpAsync();

        Assert.StartsWith(
            string.Join(NewLine,
                "Description:",
                "  Sends purchases to the SpikeApp flash-sale API like ab, pays for some (--pay-ratio), then checks from the API",
                "  that nothing was oversold. In api mode each buyer sends a bearer token signed with the API's dev key",
                "  (Authentication:Schemes:Bearer:SigningKeys, which the AppHost passes to the API and to this tool).",
                "  ",
                "  Ctrl+C stops sending, waits for the requests in flight and still checks and reports.",
                "  Exit codes: 0 every invariant holds, 1 an invariant failed, 2 usage error (a bad flag, or api mode without the key).",
                ""),
            help,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExitCodes.Success)]
    [InlineData(ExitCodes.InvariantFailed)]
    public async Task TheLoadTestsExitCodeIsTheCommands(int exitCode)
    {
        var commandExitCode = await new LoadGenCommand().InvokeAsync(["--url", "http://api"], _ => Task.FromResult(exitCode), TextWriter.Null, TextWriter.Null);

        Assert.Equal(exitCode, commandExitCode);
    }

    private static async Task<LoadGenOptions> OptionsAsync(params string[] args)
    {
        var invocation = await InvokeAsync(args);
        Assert.Equal("", invocation.Error);
        return Assert.IsType<LoadGenOptions>(invocation.Options);
    }

    private static async Task<string> HelpAsync() => (await InvokeAsync("--help")).Output;

    private static async Task<Invocation> UsageErrorAsync(string problems) =>
        new(ExitCodes.Usage, null, "", problems + NewLine + NewLine + await HelpAsync());

    /// <summary>Runs the command with a load test that only records the options it was given.</summary>
    private static async Task<Invocation> InvokeAsync(params string[] args)
    {
        LoadGenOptions? ran = null;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await new LoadGenCommand().InvokeAsync(
            args,
            options =>
            {
                ran = options;
                return Task.FromResult(ExitCodes.Success);
            },
            output,
            error);
        return new(exitCode, ran, output.ToString(), error.ToString());
    }

    private sealed record Invocation(int ExitCode, LoadGenOptions? Options, string Output, string Error);
}
