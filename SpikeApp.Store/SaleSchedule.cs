namespace SpikeApp.Store;

/// <summary>
/// When a sale sells, on Redis' clock (milliseconds since the Unix epoch): from <paramref name="OpensAtMs"/> until
/// <paramref name="ClosesAtMs"/> (null: never closes). The deduction script enforces it; replicas answer from it.
/// </summary>
public readonly record struct SaleSchedule(long OpensAtMs, long? ClosesAtMs)
{
    public static readonly SaleSchedule Always = new(0, null);

    public DateTimeOffset OpensAt => DateTimeOffset.FromUnixTimeMilliseconds(OpensAtMs);

    public DateTimeOffset? ClosesAt => ClosesAtMs is { } closes ? DateTimeOffset.FromUnixTimeMilliseconds(closes) : null;

    public bool IsBeforeOpening(long nowMs) => nowMs < OpensAtMs;

    public bool IsClosed(long nowMs) => ClosesAtMs is { } closes && nowMs >= closes;

    public static SaleSchedule From(DateTimeOffset? opensAt, DateTimeOffset? closesAt) =>
        new(opensAt?.ToUnixTimeMilliseconds() ?? 0, closesAt?.ToUnixTimeMilliseconds());
}
