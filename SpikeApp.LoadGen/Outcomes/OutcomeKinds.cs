namespace SpikeApp.LoadGen.Outcomes;

/// <summary>Purchases and payments, with every outcome's names in one table; the JSON report uses the enum members' names instead.</summary>
public static class OutcomeKinds
{
    /// <summary>Only a sale with an opening or a close answers "not open" or "closed": runs without them keep their usual lines.</summary>
    public static readonly OutcomeKind<Outcome> Purchase =
        new(Describe, Outcome.Unanswered, errors: [Outcome.OtherError, Outcome.Unanswered], rare: [Outcome.NotOpen, Outcome.Closed]);

    /// <summary>A payment without an answer may have gone through: an error, not a refusal. Only a reset voids an order.</summary>
    public static readonly OutcomeKind<PaymentOutcome> Payment =
        new(Describe, PaymentOutcome.OtherError, errors: [PaymentOutcome.OtherError], rare: [PaymentOutcome.Voided]);

    private static OutcomeName Describe(Outcome outcome) => outcome switch
    {
        Outcome.Success => new("success", "success", "ok"),
        Outcome.ExistingOrder => new("existing", "existing order", "existing"),
        Outcome.SoldOut => new("sold_out", "sold out", "sold out"),
        Outcome.NotOpen => new("not_open", "not open yet", "not open"),
        Outcome.Closed => new("closed", "closed", "closed"),
        Outcome.Overloaded => new("overloaded", "overloaded (429)", "429"),
        Outcome.Unavailable => new("unavailable", "unavailable (503)", "503"),
        Outcome.OtherError => new("other_error", "other errors", "errors"),
        Outcome.Unanswered => new("unanswered", "unanswered", "unanswered"),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "An outcome without names."),
    };

    private static OutcomeName Describe(PaymentOutcome outcome) => outcome switch
    {
        PaymentOutcome.Paid => new("paid", "paid", "paid"),
        PaymentOutcome.Expired => new("expired", "refused: expired", "pay expired"),
        PaymentOutcome.Voided => new("voided", "refused: voided", "pay voided"),
        PaymentOutcome.OtherError => new("other_error", "other errors", "pay errors"),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A payment outcome without names."),
    };
}
