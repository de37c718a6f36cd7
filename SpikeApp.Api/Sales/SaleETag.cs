using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace SpikeApp.Api.Sales;

/// <summary>A sale's entity tag: its epoch, so an operator's reset names the incarnation it means to end.</summary>
internal static class SaleETag
{
    public static string Of(long epoch) => $"\"{epoch.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Null without the header (a create); false for a list, a weak tag or <c>*</c>: a reset names exactly one incarnation.</summary>
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
