namespace SpikeApp.Store;

/// <summary>How an incarnation of a sale began.</summary>
public enum IncarnationKind
{
    /// <summary>A sale Redis did not have: a new round.</summary>
    Created,

    /// <summary>An operator's reset: a new round; the last round's pending orders are void.</summary>
    Reset,

    /// <summary>Brought up to the ledger after Redis lost data: the same round, a new epoch.</summary>
    Restored,
}

/// <summary>A new incarnation of the sale began.</summary>
/// <param name="Sold">Units held when it began: 0 for a new round, the live orders for a restore.</param>
public sealed record IncarnationEvent(string EntryId, string SaleId, long Epoch, long Round, long Seq, IncarnationKind Began, long Total, long Sold, DateTimeOffset At)
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
