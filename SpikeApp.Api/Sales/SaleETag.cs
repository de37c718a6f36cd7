using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace SpikeApp.Api.Sales;

/// <summary>A sale's entity tag: its epoch, so an operator's reset names the incarnation it means to end.</summary>
internal static class SaleETag
{
    public static string Of(long epoch) => $"\"{epoch.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// The epoch an <c>If-Match</c> names: null without the header (a create), the epoch of one strong tag. False for
    /// anything else (a list, a weak tag, <c>*</c>): a reset must name exactly the incarnation it ends.
    /// </summary>
    public static bool TryParseIfMatch(StringValues ifMatch, out long? epoch)
    {
        epoch = null;
        if (StringValues.IsNullOrEmpty(ifMatch))
        {
            return true;
        }

        var value = ifMatch.Count == 1 ? ifMatch[0]!.Trim() : "";
        if (value.Length > 2 && value[0] == '"' && value[^1] == '"'
            && long.TryParse(value.AsSpan(1, value.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            epoch = parsed;
            return true;
        }

        return false;
    }
}
