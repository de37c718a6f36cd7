namespace SpikeApp.LoadGen.Outcomes;

/// <summary>
/// Every purchase and payment outcome's names, in one table: <c>Tag</c> in span tags, <c>Label</c> in the printed
/// report, <c>ProgressLabel</c> on the progress line. The JSON report names each outcome after its enum member.
/// </summary>
public static class OutcomeNames
{
    // Looked up per request for the span tag, so built once rather than per call.
    private static readonly Names[] ByOutcome = [.. Enum.GetValues<Outcome>().Select(Describe)];
    private static readonly Names[] ByPaymentOutcome = [.. Enum.GetValues<PaymentOutcome>().Select(Describe)];

    public static string Tag(Outcome outcome) => ByOutcome[(int)outcome].Tag;

    public static string Label(Outcome outcome) => ByOutcome[(int)outcome].Label;

    public static string ProgressLabel(Outcome outcome) => ByOutcome[(int)outcome].ProgressLabel;

    public static string Tag(PaymentOutcome outcome) => ByPaymentOutcome[(int)outcome].Tag;

    public static string Label(PaymentOutcome outcome) => ByPaymentOutcome[(int)outcome].Label;

    public static string ProgressLabel(PaymentOutcome outcome) => ByPaymentOutcome[(int)outcome].ProgressLabel;

    private static Names Describe(Outcome outcome) => outcome switch
    {
        Outcome.Success => new("success", "success", "ok"),
        Outcome.ExistingOrder => new("existing", "existing order", "existing"),
        Outcome.SoldOut => new("sold_out", "sold out", "sold out"),
        Outcome.Overloaded => new("overloaded", "overloaded (429)", "429"),
        Outcome.Unavailable => new("unavailable", "unavailable (503)", "503"),
        Outcome.OtherError => new("other_error", "other errors", "errors"),
        Outcome.Unanswered => new("unanswered", "unanswered", "unanswered"),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "An outcome without names."),
    };

    private static Names Describe(PaymentOutcome outcome) => outcome switch
    {
        PaymentOutcome.Paid => new("paid", "paid", "paid"),
        PaymentOutcome.Expired => new("expired", "refused: expired", "pay expired"),
        PaymentOutcome.OtherError => new("other_error", "other errors", "pay errors"),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A payment outcome without names."),
    };

    private sealed record Names(string Tag, string Label, string ProgressLabel);
}
