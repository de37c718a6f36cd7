using System.Text.Json;
using SpikeApp.Contracts.Orders;
using SpikeApp.LoadGen.Bell;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Latency;
using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;
using SpikeApp.LoadGen.Reporting;
using static SpikeApp.LoadGen.Tests.Runs;

namespace SpikeApp.LoadGen.Tests;

/// <summary>The opening's checks and report, over runs made up in memory.</summary>
public class OpeningReportTests
{
    private static readonly DateTimeOffset OpensAt = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The sale's opensAt read through --wait-open: this clock 12.5 ms behind Redis', read within ±0.4 ms.</summary>
    private static readonly Opening WaitOpen =
        new(OpeningSource.Sale, OpensAt.AddMilliseconds(-12.5), OpensAt, TimeSpan.FromMilliseconds(12.5), TimeSpan.FromMilliseconds(0.4));

    private static readonly StampedeResult Stampede = new(WaitOpen, Connected: 10, Connections: 10, Late: TimeSpan.FromMilliseconds(0.3),
        FirstSale: TimeSpan.FromMilliseconds(4), LastSale: TimeSpan.FromMilliseconds(412), FirstSecondAnswers: 90, FirstSecondLength: TimeSpan.FromSeconds(1),
        TurnedAway: 0, AnswersByTenth: [0, 2, 8, 10, 10, 10, 10, 10, 10, 20, 30, 30, 30, 30, 30, 30, 30, 30, 30, 10]);

    private static readonly FetchedOrder[] Orders =
    [
        OrderBy("o1", "u1", "api-2", OpensAt.AddMilliseconds(7)),
        OrderBy("o2", "u2", "api-1", OpensAt.AddMilliseconds(3)),
        OrderBy("o3", "u3", "api-2", OpensAt.AddMilliseconds(5)),
        OrderBy("o4", "u4", "api-3", OpensAt.AddMilliseconds(11)),
    ];

    [Fact]
    public void TheOpeningChecksRunOnlyWithAnOpening()
    {
        var readback = new RunReadback(Sale(sold: 4), null, Orders);
        var run = Evidence(successes: 4, ("u1", "o1"), ("u2", "o2"), ("u3", "o3"), ("u4", "o4"));

        var plain = InvariantChecker.Check(run, readback);
        var opening = InvariantChecker.Check(run with { Stampede = Stampede }, readback);

        Assert.Equal(
            [.. plain.Results.Select(result => result.Name), InvariantChecker.NoSaleBeforeOpening, InvariantChecker.NoneTurnedAwayAfterOpening],
            opening.Results.Select(result => result.Name));
        Assert.Equal(
            [
                new(InvariantChecker.NoSaleBeforeOpening, InvariantStatus.Passed, "4 orders, none created before 2026-12-05T09:00:00.0000000+00:00"),
                new(InvariantChecker.NoneTurnedAwayAfterOpening, InvariantStatus.Passed, "no \"not open\" to a request sent 50.4 ms or more after the opening"),
            ],
            opening.Results.TakeLast(2));
        Assert.Equal(0, opening.ExitCode);
    }

    [Fact]
    public void AnOrderCreatedBeforeTheOpeningFails()
    {
        FetchedOrder[] orders = [.. Orders, OrderBy("o5", "u5", "api-3", OpensAt.AddMilliseconds(-1))];

        var result = InvariantChecker.CheckNoSaleBeforeOpening(Evidence(successes: 5), WaitOpen, orders);

        Assert.Equal(
            new InvariantResult(InvariantChecker.NoSaleBeforeOpening, InvariantStatus.Failed,
                "1 of 5 orders created before 2026-12-05T09:00:00.0000000+00:00: o5 by api-3 at 2026-12-05T08:59:59.9990000+00:00"),
            result);
    }

    [Fact]
    public void WithoutTheSalesOpensAtOrInSeedModeNoOrderIsHeldAgainstIt()
    {
        Assert.Equal(
            new InvariantResult(InvariantChecker.NoSaleBeforeOpening, InvariantStatus.Skipped, "the sale reports no opensAt to hold its orders against"),
            InvariantChecker.CheckNoSaleBeforeOpening(Evidence(successes: 4), WaitOpen with { Source = OpeningSource.At, SaleOpensAt = null }, Orders));
        Assert.Equal(
            new InvariantResult(InvariantChecker.NoSaleBeforeOpening, InvariantStatus.Skipped, "seed mode: the API returns no order ids"),
            InvariantChecker.CheckNoSaleBeforeOpening(Evidence(successes: 4) with { Mode = LoadMode.Seed }, WaitOpen, []));
    }

    [Fact]
    public void ABuyerTurnedAwayAfterTheOpeningFails() =>
        Assert.Equal(
            new InvariantResult(InvariantChecker.NoneTurnedAwayAfterOpening, InvariantStatus.Failed,
                "3 requests sent 50.4 ms or more after the opening were answered \"not open\""),
            InvariantChecker.CheckNoneTurnedAwayAfterOpening(Stampede with { TurnedAway = 3 }));

    [Fact]
    public void EachReplicasFirstSaleIsMeasuredFromTheSalesOpensAt()
    {
        var report = OpeningReport.Create(Stampede, soldOut: true, Orders);

        Assert.Equal(
            [
                new ReplicaFirstSale("api-1", OpensAt.AddMilliseconds(3), 3),
                new ReplicaFirstSale("api-2", OpensAt.AddMilliseconds(5), 5),
                new ReplicaFirstSale("api-3", OpensAt.AddMilliseconds(11), 11),
            ],
            report.Replicas);
        Assert.Equal(8, report.ReplicaSpreadMs);
        Assert.Equal((0.004, 0.412, 90L, 90.0), (report.FirstSaleSeconds, report.SoldOutSeconds, report.FirstSecondRequests, report.FirstSecondRequestsPerSecond));
        Assert.Equal((OpensAt, 12.5, 0.4, 0.3), (report.OpensAt, report.ClockOffsetMs, report.ClockUncertaintyMs, report.StartLateMs));
        Assert.Equal(Stampede.AnswersByTenth, report.AnswersByTenth);
    }

    [Fact]
    public void ASaleNotSoldOutHasNoSoldOutTimeAndARunWithoutOrdersNoSpread()
    {
        var report = OpeningReport.Create(Stampede with { FirstSecondAnswers = 40, FirstSecondLength = TimeSpan.FromMilliseconds(500) }, soldOut: false, []);

        Assert.Equal((null, null, 80.0), (report.SoldOutSeconds, report.ReplicaSpreadMs, report.FirstSecondRequestsPerSecond));
        Assert.Empty(report.Replicas);
    }

    [Fact]
    public void TheTextReportShowsTheOpening()
    {
        var expected = string.Join(Environment.NewLine,
            "Opening (the sale's opensAt 2026-12-05T09:00:00.0000000+00:00; this clock corrected by +12.5 ms, ±0.4 ms)",
            "  connected before it     10 of 10 connections",
            "  buyers released         0.3 ms after it",
            "  first sale              0.004 s after it",
            "  sold out                0.412 s after it (the last unit's answer)",
            "  first second            90 answers (90.0 requests/s)",
            "  by tenth of a second    0 2 8 10 10 10 10 10 10 20 | 30 30 30 30 30 30 30 30 30 10",
            "  first sale by replica, Redis' clock (spread 8 ms)",
            "    api-1                        +3 ms  2026-12-05T09:00:00.0030000+00:00",
            "    api-2                        +5 ms  2026-12-05T09:00:00.0050000+00:00",
            "    api-3                       +11 ms  2026-12-05T09:00:00.0110000+00:00",
            "");

        Assert.Contains(Environment.NewLine + expected + Environment.NewLine, WriteText(Report()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Opening (--at 2026-12-05T09:00:01.0000000+00:00)")]
    [InlineData("2026-12-05T09:00:00Z", "Opening (--at 2026-12-05T09:00:01.0000000+00:00; the sale's opensAt 2026-12-05T09:00:00.0000000+00:00)")]
    public void AnAtOpeningNamesTheSalesOwnOpeningWhenItDiffers(string? saleOpensAt, string heading)
    {
        var at = new Opening(OpeningSource.At, OpensAt.AddSeconds(1),
            saleOpensAt is null ? null : DateTimeOffset.Parse(saleOpensAt, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero, TimeSpan.Zero);

        Assert.Contains(Environment.NewLine + heading + Environment.NewLine, WriteText(Report(Stampede with { Opening = at })), StringComparison.Ordinal);
    }

    [Fact]
    public void TheTextReportCountsNotOpenAnswersAndBuyersTurnedAway()
    {
        var text = WriteText(Report(Stampede with { TurnedAway = 2 }, new OutcomeCounts { [Outcome.Success] = 4, [Outcome.NotOpen] = 2, [Outcome.SoldOut] = 94 }));

        Assert.Contains(Environment.NewLine + "  not open yet                  2" + Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Contains(Environment.NewLine + "  turned away after it    2" + Environment.NewLine, text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJsonReportCarriesTheOpening()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Report()));
        var opening = json.RootElement.GetProperty("opening");

        Assert.Equal(
            [
                "source:Sale", "at:2026-12-05T08:59:59.9875+00:00", "opensAt:2026-12-05T09:00:00+00:00", "clockOffsetMs:12.5", "clockUncertaintyMs:0.4", "connected:10", "connections:10",
                "startLateMs:0.3", "firstSaleSeconds:0.004", "soldOutSeconds:0.412", "firstSecondRequests:90", "firstSecondRequestsPerSecond:90",
                "notOpenAfterOpening:0", "replicas:3", "replicaSpreadMs:8", "answersByTenth:20",
            ],
            opening.EnumerateObject().Select(field => $"{field.Name}:{(field.Value.ValueKind == JsonValueKind.Array ? field.Value.GetArrayLength() : field.Value)}"));
        Assert.Equal(
            ["replicaId:api-1", "firstSaleAt:2026-12-05T09:00:00.003+00:00", "offsetMs:3"],
            opening.GetProperty("replicas")[0].EnumerateObject().Select(field => $"{field.Name}:{field.Value}"));
    }

    [Fact]
    public void WithoutAnOpeningTheReportHasNone()
    {
        var report = Report() with { Opening = null };

        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(ReportWriter.ToJson(report)).RootElement.GetProperty("opening").ValueKind);
        Assert.DoesNotContain("Opening", WriteText(report), StringComparison.Ordinal);
    }

    private static LoadReport Report(StampedeResult? stampede = null, OutcomeCounts? outcomes = null) => LoadReport.Create(
        new LoadGenOptions { Url = new Uri("http://api"), Requests = 100, Concurrency = 10, WaitOpen = true },
        warmup: null,
        new PhaseResult("run", 100, 100, TimeSpan.FromSeconds(1), StopReason.Count,
            outcomes ?? new OutcomeCounts { [Outcome.Success] = 4, [Outcome.SoldOut] = 96 },
            new Dictionary<string, long>(), new LatencySummary(100, 1, 5, 4, 8, 20, 30, 31.5)),
        new InvariantReport(Before, Sale(sold: 4), []),
        OpeningReport.Create(stampede ?? Stampede, soldOut: true, Orders));

    private static string WriteText(LoadReport report)
    {
        using var output = new StringWriter();
        ReportWriter.WriteText(output, report);
        return output.ToString();
    }

    private static FetchedOrder OrderBy(string orderId, string userId, string replicaId, DateTimeOffset createdAt) =>
        new(new(userId, orderId), new(orderId, SaleId, userId, replicaId, OrderStatus.Pending, createdAt, createdAt.AddMinutes(15), PaidAt: null,
            PaymentReference: null, Epoch: 1), null);
}
