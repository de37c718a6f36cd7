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
            new OutcomeCounts
            {
                [Outcome.Success] = 10, [Outcome.SoldOut] = 85, [Outcome.Overloaded] = 1, [Outcome.Unavailable] = 2,
                [Outcome.OtherError] = 1, [Outcome.Unanswered] = 1,
            },
            new Dictionary<string, long> { ["HTTP 500"] = 1, ["timeout"] = 1 },
            new LatencySummary(99, 1, 5, 4, 8, 20, 30, 31.5)),
        new InvariantReport(null, new SaleSnapshot("default", 10, 11, 0, true, 1),
            [
                new(InvariantChecker.SoldWithinTotal, InvariantStatus.Failed, "Redis sold 11 of 10"),
                new(InvariantChecker.OneOrderPerUser, InvariantStatus.Passed, "10 buyers, each with one order id"),
            ]));

    [Fact]
    public void TheJsonReportCountsEveryOutcomeByName()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Report));

        var outcomes = json.RootElement.GetProperty("run").GetProperty("outcomes").EnumerateObject();

        Assert.Equal(
            [
                ("success", 10), ("existingOrder", 0), ("soldOut", 85), ("overloaded", 1), ("unavailable", 2), ("otherError", 1),
                ("unanswered", 1), ("total", 100), ("uncertain", 3),
            ],
            outcomes.Select(outcome => (outcome.Name, outcome.Value.GetInt64())));
    }

    [Fact]
    public void TheJsonReportCarriesTheRunsFigures()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Report));
        var root = json.RootElement;

        Assert.Equal("Api", root.GetProperty("mode").GetString());
        Assert.Equal(50.0, root.GetProperty("run").GetProperty("requestsPerSecond").GetDouble());
        Assert.Equal(31.5, root.GetProperty("run").GetProperty("latency").GetProperty("maxMs").GetDouble());
        Assert.Equal(1, root.GetProperty("run").GetProperty("problems").GetProperty("timeout").GetInt64());
    }

    [Fact]
    public void TheJsonReportCarriesEachInvariantVerdict()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Report));
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("exitCode").GetInt32());
        var first = root.GetProperty("invariants").GetProperty("results")[0];
        Assert.Equal("sold <= total", first.GetProperty("name").GetString());
        Assert.Equal("Failed", first.GetProperty("status").GetString());
        Assert.False(root.GetProperty("invariants").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void TheTextReportListsEveryOutcomeWithItsLabelThenTheProblems()
    {
        var expected = string.Join(Environment.NewLine,
            "Outcomes",
            "  success                      10",
            "  existing order                0",
            "  sold out                     85",
            "  overloaded (429)              1",
            "  unavailable (503)             2",
            "  other errors                  1",
            "  unanswered                    1",
            "           1 x HTTP 500",
            "           1 x timeout",
            "");

        Assert.Contains(Environment.NewLine + expected + Environment.NewLine, WriteText(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheTextReportShowsTheThroughput() =>
        Assert.Contains("Throughput:             50.0 requests/s", WriteText(), StringComparison.Ordinal);

    [Fact]
    public void TheTextReportShowsEachInvariantVerdict() =>
        Assert.Contains("  FAIL  sold <= total                       Redis sold 11 of 10", WriteText(), StringComparison.Ordinal);

    [Fact]
    public void TheTextReportEndsWithTheVerdict() =>
        Assert.EndsWith("Result: INVARIANT FAILED (exit 1)" + Environment.NewLine, WriteText(), StringComparison.Ordinal);

    private static string WriteText()
    {
        using var output = new StringWriter();
        ReportWriter.WriteText(output, Report);
        return output.ToString();
    }
}
