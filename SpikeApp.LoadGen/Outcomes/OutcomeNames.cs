namespace SpikeApp.LoadGen.Outcomes;

/// <summary>How outcomes are named: <see cref="Tag"/> in span tags, <see cref="Label"/> in the printed report.</summary>
public static class OutcomeNames
{
    public static string Tag(Outcome outcome) => outcome switch
    {
        Outcome.Success => "success",
        Outcome.ExistingOrder => "existing",
        Outcome.SoldOut => "sold_out",
        Outcome.Overloaded => "overloaded",
        Outcome.Unavailable => "unavailable",
        Outcome.OtherError => "other_error",
        _ => "unanswered",
    };

    public static string Label(Outcome outcome) => outcome switch
    {
        Outcome.Success => "success",
        Outcome.ExistingOrder => "existing order",
        Outcome.SoldOut => "sold out",
        Outcome.Overloaded => "overloaded (429)",
        Outcome.Unavailable => "unavailable (503)",
        Outcome.OtherError => "other errors",
        _ => "unanswered",
    };
}
