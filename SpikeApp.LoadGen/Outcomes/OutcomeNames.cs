namespace SpikeApp.LoadGen.Outcomes;

/// <summary>
/// Every outcome's names, in one table: <see cref="Tag"/> in span tags, <see cref="Label"/> in the printed report,
/// <see cref="ProgressLabel"/> on the progress line. The JSON report names each outcome after its enum member.
/// </summary>
public static class OutcomeNames
{
    // Looked up per request for the span tag, so built once rather than per call.
    private static readonly Names[] ByOutcome = [.. Enum.GetValues<Outcome>().Select(Describe)];

    public static string Tag(Outcome outcome) => ByOutcome[(int)outcome].Tag;

    public static string Label(Outcome outcome) => ByOutcome[(int)outcome].Label;

    public static string ProgressLabel(Outcome outcome) => ByOutcome[(int)outcome].ProgressLabel;

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

    private sealed record Names(string Tag, string Label, string ProgressLabel);
}
