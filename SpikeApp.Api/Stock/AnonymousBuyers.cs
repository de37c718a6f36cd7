using System.Security.Cryptography;

namespace SpikeApp.Api.Stock;

/// <summary>
/// Buyer ids for the seed endpoints, where every request is a new buyer: unique across replicas and restarts
/// thanks to a random per-process prefix.
/// </summary>
internal static class AnonymousBuyers
{
    private static readonly string Prefix = "anon-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + "-";
    private static long _next;

    public static string Next() => Prefix + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
