namespace SpikeApp.LoadGen.Outcomes;

/// <summary>What sets purchases' and payments' outcomes apart, so that one pipeline sends, classifies, counts, traces and reports both.</summary>
/// <param name="rare">Listed only once one happened, so runs without them keep the report's usual lines and fields.</param>
public sealed class OutcomeKind<TOutcome>(Func<TOutcome, OutcomeName> describe, TOutcome unanswered, TOutcome[] errors, TOutcome[]? rare = null)
    where TOutcome : struct, Enum
{
    private static readonly TOutcome[] Outcomes = Enum.GetValues<TOutcome>();

    // Looked up per request for the span tag, so built once rather than per call.
    private readonly OutcomeName[] _names = [.. Outcomes.Select(describe)];

    /// <summary>Every outcome, in the enum's order: the order of the counters, the report and the JSON.</summary>
    public IReadOnlyList<TOutcome> All => Outcomes;

    public OutcomeName Name(TOutcome outcome) => _names[Index(outcome)];

    public bool IsError(TOutcome outcome) => errors.Contains(outcome);

    public bool IsListed(TOutcome outcome, long count) => count > 0 || rare is null || !rare.Contains(outcome);

    public Classification<TOutcome> Unanswered(string problem) => new(unanswered, Problem: problem);

    public int Index(TOutcome outcome) => Array.IndexOf(Outcomes, outcome);
}

/// <summary>An outcome's names: <c>Tag</c> in span tags, <c>Label</c> in the printed report, <c>ProgressLabel</c> on the progress line.</summary>
public sealed record OutcomeName(string Tag, string Label, string ProgressLabel);
