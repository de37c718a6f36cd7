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
        new InvariantReport(null, Runs.Sale(sold: 11) with { SaleId = "default" },
            [
                new(InvariantChecker.SoldWithinTotal, InvariantStatus.Failed, "Redis sold 11 of 10"),
                new(InvariantChecker.OneOrderPerUser, InvariantStatus.Passed, "10 buyers, each with one order id"),
            ]));

    private static readonly LoadReport PayingReport = LoadReport.Create(
        new LoadGenOptions { Url = new Uri("http://api"), Requests = 100, Concurrency = 10, PayRatio = 0.5, Settle = TimeSpan.FromSeconds(3) },
        warmup: null,
        new PhaseResult("run", 100, 100, TimeSpan.FromSeconds(2), StopReason.Count,
            new OutcomeCounts { [Outcome.Success] = 10, [Outcome.SoldOut] = 90 },
            new Dictionary<string, long>(),
            new LatencySummary(100, 1, 5, 4, 8, 20, 30, 31.5),
            new PaymentResult(
                new PaymentCounts { [PaymentOutcome.Paid] = 4, [PaymentOutcome.Expired] = 1, [PaymentOutcome.OtherError] = 1 },
                new Dictionary<string, long> { ["HTTP 503"] = 1 })),
        new InvariantReport(null, Runs.Sale(sold: 9) with { SaleId = "default" }, []));

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
    public void TheJsonReportCarriesTheSaleByItsTotals()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Report));
        var invariants = json.RootElement.GetProperty("invariants");

        Assert.Equal(JsonValueKind.Null, invariants.GetProperty("saleBefore").ValueKind);
        Assert.Equal(
            ["saleId:default", "total:10", "sold:11", "remaining:0", "soldOut:true", "epoch:1"],
            invariants.GetProperty("saleAfter").EnumerateObject().Select(field => $"{field.Name}:{field.Value.ToString().ToLowerInvariant()}"));
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

    [Fact]
    public void TheJsonReportCountsEveryPaymentOutcomeByName()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(PayingReport));
        var root = json.RootElement;

        var payments = root.GetProperty("run").GetProperty("payments");
        Assert.Equal(
            [("paid", 4), ("expired", 1), ("otherError", 1), ("total", 6)],
            payments.GetProperty("outcomes").EnumerateObject().Select(outcome => (outcome.Name, outcome.Value.GetInt64())));
        Assert.Equal(1, payments.GetProperty("problems").GetProperty("HTTP 503").GetInt64());
        Assert.Equal((0.5, 3.0), (root.GetProperty("payRatio").GetDouble(), root.GetProperty("settleSeconds").GetDouble()));
    }

    [Fact]
    public void AVoidedOrderIsListedAsARefusalOnlyOnceOneWasRefused()
    {
        var voided = PayingReport with
        {
            Run = PayingReport.Run with
            {
                Payments = new PaymentResult(
                    new PaymentCounts { [PaymentOutcome.Paid] = 4, [PaymentOutcome.Voided] = 2 }, new Dictionary<string, long>()),
            },
        };
        using var json = JsonDocument.Parse(ReportWriter.ToJson(voided));

        Assert.Equal(
            [("paid", 4), ("expired", 0), ("voided", 2), ("otherError", 0), ("total", 6)],
            json.RootElement.GetProperty("run").GetProperty("payments").GetProperty("outcomes").EnumerateObject()
                .Select(outcome => (outcome.Name, outcome.Value.GetInt64())));
        Assert.Contains(string.Join(Environment.NewLine,
            "Payments (6 of 10 new orders; the rest abandoned)",
            "  paid                          4",
            "  refused: expired              0",
            "  refused: voided               2",
            "  other errors                  0",
            ""), WriteText(voided), StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutPaymentsTheJsonReportHasNone()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Report));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("run").GetProperty("payments").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("payRatio").GetDouble());
    }

    [Fact]
    public void TheTextReportListsEveryPaymentOutcomeWithItsLabelThenTheProblems()
    {
        var expected = string.Join(Environment.NewLine,
            "Payments (6 of 10 new orders; the rest abandoned)",
            "  paid                          4",
            "  refused: expired              1",
            "  other errors                  1",
            "           1 x HTTP 503",
            "",
            "Settled 3 s before the checks",
            "");

        Assert.Contains(Environment.NewLine + expected + Environment.NewLine, WriteText(PayingReport), StringComparison.Ordinal);
    }

    [Fact]
    public void TheTextReportShowsThePayRatio() =>
        Assert.Contains("Pay ratio:              0.5 of the buyers pay for a new order; the others abandon it", WriteText(PayingReport), StringComparison.Ordinal);

    [Fact]
    public void WithoutPaymentsTheTextReportHasNoPaymentLines() =>
        Assert.DoesNotContain("Pay", WriteText(), StringComparison.Ordinal);

    private static string WriteText(LoadReport? report = null)
    {
        using var output = new StringWriter();
        ReportWriter.WriteText(output, report ?? Report);
        return output.ToString();
    }
}
