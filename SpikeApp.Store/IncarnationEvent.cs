namespace SpikeApp.Store;

public enum IncarnationKind
{
    Created,
    Reset,

    /// <summary>Brought up to the ledger after Redis lost data: the same round, a new epoch.</summary>
    Restored,
}

/// <param name="OpensAt">The round's opening (null in entries from before schedules were kept: open from the start).</param>
/// <param name="ClosesAt">The round's closing; null: never.</param>
public sealed record IncarnationEvent(string EntryId, string SaleId, long Epoch, long Round, long Seq, IncarnationKind Began, long Total, long Sold, DateTimeOffset At,
    DateTimeOffset? OpensAt = null, DateTimeOffset? ClosesAt = null)
    : SaleEvent(EntryId, SaleId, Epoch, Round, Seq)
{
    public static string NameOf(IncarnationKind kind) => kind switch
    {
        IncarnationKind.Created => "created",
        IncarnationKind.Reset => "reset",
        _ => "restored",
    };

    public static IncarnationKind Parse(string name) => name switch
    {
        "created" => IncarnationKind.Created,
        "reset" => IncarnationKind.Reset,
        "restored" => IncarnationKind.Restored,
        _ => throw new FormatException($"'{name}' is not how an incarnation begins."),
    };
}
