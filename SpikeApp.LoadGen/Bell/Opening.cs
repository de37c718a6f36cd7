namespace SpikeApp.LoadGen.Bell;

/// <summary>When the buyers send, on this machine's clock, and what it was derived from.</summary>
/// <param name="At">The opening on this machine's clock: --at as given, or the sale's <c>opensAt</c> less <paramref name="ClockOffset"/>.</param>
/// <param name="SaleOpensAt">The sale's own <c>opensAt</c> (Redis' clock), when the API reports one: what its orders' <c>createdAt</c> are held against.</param>
/// <param name="ClockOffset">Redis' clock less this machine's, as read from <c>serverTime</c> (--wait-open); zero for --at.</param>
/// <param name="ClockUncertainty">Half the round trip of the reading the offset came from: the offset is right within it.</param>
public sealed record Opening(OpeningSource Source, DateTimeOffset At, DateTimeOffset? SaleOpensAt, TimeSpan ClockOffset, TimeSpan ClockUncertainty)
{
    /// <summary>The moment the sale's orders are held against: its <c>opensAt</c>, else --at.</summary>
    public DateTimeOffset Reference => SaleOpensAt ?? At;
}
