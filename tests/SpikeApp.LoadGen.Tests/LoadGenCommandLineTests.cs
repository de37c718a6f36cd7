using SpikeApp.LoadGen.CommandLine;

namespace SpikeApp.LoadGen.Tests;

public class LoadGenCommandLineTests
{
    [Fact]
    public void EveryFlagIsRead()
    {
        var result = LoadGenCommandLine.Parse([
            "--url", "http://api", "-n", "20000", "-c", "100", "--duration", "30s", "--users", "500", "--sale", "s-1_A",
            "--mode", "api", "--warmup", "200", "--json", "report.json", "--timeout", "750ms", "--shared"]);

        var options = Assert.IsType<LoadGenOptions>(result.Options);
        Assert.Null(result.Error);
        Assert.Equal(0, result.ExitCode);
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
    }

    [Fact]
    public void DefaultsNeedOnlyTheUrl()
    {
        var options = Assert.IsType<LoadGenOptions>(LoadGenCommandLine.Parse(["--url=http://127.0.0.1:5080"]).Options);

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
    }

    [Fact]
    public void LongAliasesAndSeedMode()
    {
        var options = Assert.IsType<LoadGenOptions>(LoadGenCommandLine.Parse(
            ["--requests=50", "--concurrency", "5", "--mode=seed", "--url", "https://shop.example/prefix", "--duration", "2m"]).Options);

        Assert.Equal(50, options.Requests);
        Assert.Equal(5, options.Concurrency);
        Assert.Equal(LoadMode.Seed, options.Mode);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Duration);
    }

    [Theory]
    [InlineData("-c (concurrency) must be from 1 to 10000.", "--url", "http://api", "-c", "0")]
    [InlineData("-c (concurrency) must be from 1 to 10000.", "--url", "http://api", "-n", "20000", "-c", "10001")]
    [InlineData("-c (11) cannot exceed -n (10).", "--url", "http://api", "-n", "10", "-c", "11")]
    [InlineData("-n: 'abc' is not a whole number.", "--url", "http://api", "-n", "abc")]
    [InlineData("-n: '-5' is not a whole number.", "--url", "http://api", "-n", "-5")]
    [InlineData("-n (requests) must be at least 1.", "--url", "http://api", "-n", "0", "-c", "1")]
    [InlineData("Unknown option '--bogus'.", "--url", "http://api", "--bogus")]
    [InlineData("Unknown option 'extra'.", "--url", "http://api", "extra")]
    [InlineData("--url is required, e.g. --url http://127.0.0.1:5080 (or http://api under Aspire).", "-n", "10")]
    [InlineData("--url: 'api' is not an absolute address such as http://127.0.0.1:5080.", "--url", "api")]
    [InlineData("--url must be an absolute http:// or https:// address without a query, not 'ftp://api/'.", "--url", "ftp://api/")]
    [InlineData("--mode: 'grpc' is not a mode; use api or seed.", "--url", "http://api", "--mode", "grpc")]
    [InlineData("--mode: '1' is not a mode; use api or seed.", "--url", "http://api", "--mode", "1")]
    [InlineData("--duration: '10 minutes' is not a duration such as 500ms, 30s, 5m or 1h.", "--url", "http://api", "--duration", "10 minutes")]
    [InlineData("--duration must be more than 0 and at most 24h.", "--url", "http://api", "--duration", "0s")]
    [InlineData("--duration must be more than 0 and at most 24h.", "--url", "http://api", "--duration", "25h")]
    [InlineData("--timeout must be more than 0 and at most 5m.", "--url", "http://api", "--timeout", "6m")]
    [InlineData("--users must be at least 1.", "--url", "http://api", "--users", "0")]
    [InlineData("--users applies to --mode api only: the seed endpoint makes up an anonymous buyer per request.", "--url", "http://api", "--mode", "seed", "--users", "5")]
    [InlineData("--sale must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.", "--url", "http://api", "--sale", "a/b")]
    [InlineData("--warmup must be from 0 to 1000000.", "--url", "http://api", "--warmup", "1000001")]
    [InlineData("-c needs a value.", "--url", "http://api", "-c")]
    [InlineData("--shared takes no value.", "--url", "http://api", "--shared=yes")]
    [InlineData("--json: folder '/no/such/folder' does not exist.", "--url", "http://api", "--json", "/no/such/folder/report.json")]
    public void UsageErrorsExplainTheFlagAndExitWithTwo(string error, params string[] args)
    {
        var result = LoadGenCommandLine.Parse(args);

        Assert.Null(result.Options);
        Assert.Equal(error, result.Error);
        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void SeveralProblemsAreAllReported()
    {
        var result = LoadGenCommandLine.Parse(["-c", "0", "--sale", "a b"]);

        Assert.Equal(
            string.Join(Environment.NewLine,
                "--url is required, e.g. --url http://127.0.0.1:5080 (or http://api under Aspire).",
                "-c (concurrency) must be from 1 to 10000.",
                "--sale must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'."),
            result.Error);
        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void AUsageErrorPrintsTheErrorThenTheUsageToStandardError()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = LoadGenCommandLine.Parse(["-n", "abc"]).WriteHelpOrError(output, error);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output.ToString());
        Assert.StartsWith("-n: 'abc' is not a whole number." + Environment.NewLine + Environment.NewLine + "Usage: SpikeApp.LoadGen --url URL", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HelpPrintsTheUsageAndExitsWithZero()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var result = LoadGenCommandLine.Parse(["--url", "http://api", "--help"]);
        var exitCode = result.WriteHelpOrError(output, error);

        Assert.True(result.HelpRequested);
        Assert.Equal(0, exitCode);
        Assert.Equal(LoadGenCommandLine.Usage + Environment.NewLine, output.ToString());
        Assert.Equal("", error.ToString());
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("30", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    public void DurationsTakeAUnit(string text, int milliseconds)
    {
        Assert.True(LoadGenCommandLine.TryParseTime(text, out var time));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), time);
    }
}
