using SpikeApp.LoadGen.Load;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Tests;

public class ProgressReporterTests
{
    [Fact]
    public async Task TheLastProgressLineCountsEveryOutcome()
    {
        var counters = new RunCounters();
        counters.RecordPurchase(new Classification<Outcome>(Outcome.Success, "1-1"));
        counters.RecordPurchase(new Classification<Outcome>(Outcome.SoldOut));
        counters.RecordPurchase(new Classification<Outcome>(Outcome.SoldOut));
        counters.RecordPurchase(new Classification<Outcome>(Outcome.Overloaded));
        using var output = new StringWriter();

        // Stopped before the first tick: only the final line is written.
        await new ProgressReporter(output, interactive: false).RunAsync(counters, planned: 10, new CancellationToken(canceled: true));

        var line = Assert.Single(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\[ +\d+\.\ds\] 4/10 +\d+/s \| ok 1 \| existing 0 \| sold out 2 \| 429 1 \| 503 0 \| errors 0 \| unanswered 0$", line);
    }

    [Fact]
    public async Task WhenBuyersPayTheProgressLineCountsThePaymentsToo()
    {
        var counters = new RunCounters();
        counters.RecordPurchase(new Classification<Outcome>(Outcome.Success, "1-1"));
        counters.RecordPurchase(new Classification<Outcome>(Outcome.Success, "1-2"));
        counters.Payments.Record(new Classification<PaymentOutcome>(PaymentOutcome.Paid));
        counters.Payments.Record(new Classification<PaymentOutcome>(PaymentOutcome.OtherError, Problem: "HTTP 503"));
        using var output = new StringWriter();

        await new ProgressReporter(output, interactive: false, payments: true).RunAsync(counters, planned: 10, new CancellationToken(canceled: true));

        var line = Assert.Single(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("| unanswered 0 | paid 1 | pay expired 0 | pay errors 1", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AVoidedOrderIsOnTheProgressLineOnceOneWasRefused()
    {
        var counters = new RunCounters();
        counters.RecordPurchase(new Classification<Outcome>(Outcome.Success, "1-1"));
        counters.Payments.Record(new Classification<PaymentOutcome>(PaymentOutcome.Voided));
        using var output = new StringWriter();

        await new ProgressReporter(output, interactive: false, payments: true).RunAsync(counters, planned: 10, new CancellationToken(canceled: true));

        var line = Assert.Single(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("| unanswered 0 | paid 0 | pay expired 0 | pay voided 1 | pay errors 0", line, StringComparison.Ordinal);
    }
}
