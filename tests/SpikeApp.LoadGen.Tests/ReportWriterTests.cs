using System.Text.Json;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Latency;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;
using SpikeApp.LoadGen.Reporting;

namespace SpikeApp.LoadGen.Tests;

public class ReportWriterTests
{
    private static readonly LoadReport Report = LoadReport.Create(
        new LoadGenOptions { Url = new Uri("http://api"), Requests = 100, Concurrency = 10 },
        warmup: null,
        new PhaseResult("run", 100, 100, TimeSpan.FromSeconds(2), StopReason.Count,
            new OutcomeCounts(Success: 10, ExistingOrder: 0, SoldOut: 85, Overloaded: 1, Unavailable: 2, OtherErrors: 1, Unanswered: 1),
            new Dictionary<string, long> { ["HTTP 500"] = 1, ["timeout"] = 1 },
            new LatencySummary(99, 1, 5, 4, 8, 20, 30, 31.5)),
        new InvariantReport(null, new SaleSnapshot("default", 10, 11, 0, true, 1),
            [
                new(InvariantChecker.SoldWithinTotal, InvariantStatus.Failed, "Redis sold 11 of 10"),
                new(InvariantChecker.OneOrderPerUser, InvariantStatus.Passed, "10 buyers, each with one order id"),
            ]));

    [Fact]
    public void TheJsonReportCarriesTheOutcomesLatencyAndInvariantVerdicts()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Report));
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("Api", root.GetProperty("mode").GetString());
        Assert.Equal(50.0, root.GetProperty("run").GetProperty("requestsPerSecond").GetDouble());
        Assert.Equal(85, root.GetProperty("run").GetProperty("outcomes").GetProperty("soldOut").GetInt64());
        Assert.Equal(31.5, root.GetProperty("run").GetProperty("latency").GetProperty("maxMs").GetDouble());
        Assert.Equal(1, root.GetProperty("run").GetProperty("problems").GetProperty("timeout").GetInt64());
        var first = root.GetProperty("invariants").GetProperty("results")[0];
        Assert.Equal("sold <= total", first.GetProperty("name").GetString());
        Assert.Equal("Failed", first.GetProperty("status").GetString());
        Assert.False(root.GetProperty("invariants").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void TheTextReportEndsWithTheVerdict()
    {
        using var output = new StringWriter();

        ReportWriter.WriteText(output, Report);

        var text = output.ToString();
        Assert.Contains("Throughput:             50.0 requests/s", text, StringComparison.Ordinal);
        Assert.Contains("  FAIL  sold <= total                       Redis sold 11 of 10", text, StringComparison.Ordinal);
        Assert.EndsWith("Result: INVARIANT FAILED (exit 1)" + Environment.NewLine, text, StringComparison.Ordinal);
    }
}
