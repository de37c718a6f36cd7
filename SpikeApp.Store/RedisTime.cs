using System.Globalization;

namespace SpikeApp.Store;

/// <summary>Times as the scripts write them: Redis' clock in whole milliseconds since the Unix epoch, empty for none.</summary>
internal static class RedisTime
{
    public static DateTimeOffset? FromMilliseconds(string? milliseconds) =>
        string.IsNullOrEmpty(milliseconds) ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(milliseconds, CultureInfo.InvariantCulture));
}
