namespace SpikeApp.LoadGen.Bell;

public enum OpeningSource
{
    /// <summary>--at: a time on this machine's clock.</summary>
    At,

    /// <summary>--wait-open: the sale's <c>opensAt</c>, on Redis' clock.</summary>
    Sale,
}
