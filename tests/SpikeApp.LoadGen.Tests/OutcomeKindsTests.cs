using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Tests;

public class OutcomeKindsTests
{
    [Theory]
    [InlineData(Outcome.Success, "success", "success", "ok")]
    [InlineData(Outcome.ExistingOrder, "existing", "existing order", "existing")]
    [InlineData(Outcome.SoldOut, "sold_out", "sold out", "sold out")]
    [InlineData(Outcome.NotOpen, "not_open", "not open yet", "not open")]
    [InlineData(Outcome.Closed, "closed", "closed", "closed")]
    [InlineData(Outcome.Overloaded, "overloaded", "overloaded (429)", "429")]
    [InlineData(Outcome.Unavailable, "unavailable", "unavailable (503)", "503")]
    [InlineData(Outcome.OtherError, "other_error", "other errors", "errors")]
    [InlineData(Outcome.Unanswered, "unanswered", "unanswered", "unanswered")]
    public void EachOutcomeHasATagALabelAndAProgressLabel(Outcome outcome, string tag, string label, string progressLabel) =>
        Assert.Equal(new OutcomeName(tag, label, progressLabel), OutcomeKinds.Purchase.Name(outcome));

    [Theory]
    [InlineData(PaymentOutcome.Paid, "paid", "paid", "paid")]
    [InlineData(PaymentOutcome.Expired, "expired", "refused: expired", "pay expired")]
    [InlineData(PaymentOutcome.Voided, "voided", "refused: voided", "pay voided")]
    [InlineData(PaymentOutcome.OtherError, "other_error", "other errors", "pay errors")]
    public void EachPaymentOutcomeHasATagALabelAndAProgressLabel(PaymentOutcome outcome, string tag, string label, string progressLabel) =>
        Assert.Equal(new OutcomeName(tag, label, progressLabel), OutcomeKinds.Payment.Name(outcome));

    [Fact]
    public void NotOpenAndClosedAreListedOnlyOnceOneWasAnswered()
    {
        Assert.Equal(
            [Outcome.Success, Outcome.ExistingOrder, Outcome.SoldOut, Outcome.Overloaded, Outcome.Unavailable, Outcome.OtherError, Outcome.Unanswered],
            new OutcomeCounts().Select(count => count.Key));
        Assert.Equal(
            [Outcome.Success, Outcome.ExistingOrder, Outcome.SoldOut, Outcome.NotOpen, Outcome.Overloaded, Outcome.Unavailable, Outcome.OtherError, Outcome.Unanswered],
            new OutcomeCounts { [Outcome.NotOpen] = 3 }.Select(count => count.Key));
        Assert.False(OutcomeKinds.Purchase.IsError(Outcome.NotOpen) || OutcomeKinds.Purchase.IsError(Outcome.Closed));
    }
}
