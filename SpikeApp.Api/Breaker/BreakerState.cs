namespace SpikeApp.Api.Breaker;

public enum BreakerState
{
    /// <summary>Requests call Redis; failures in a row are counted.</summary>
    Closed,

    /// <summary>Requests answer 503 without calling Redis until the break is over.</summary>
    Open,

    /// <summary>The break is over and one probe is asking Redis; requests still answer 503 at once.</summary>
    HalfOpen,
}
