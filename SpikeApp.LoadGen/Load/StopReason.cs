namespace SpikeApp.LoadGen.Load;

public enum StopReason
{
    /// <summary>All -n requests were sent.</summary>
    Count,

    /// <summary>--duration ran out first.</summary>
    Duration,

    /// <summary>Ctrl+C or the host stopping.</summary>
    Interrupted,
}
