using System.Security.Cryptography;

namespace SpikeApp.Api.Stock;

/// <summary>Every seed request is a new buyer; a random per-process prefix keeps ids unique across replicas and restarts.</summary>
internal static class AnonymousBuyers
{
    private static readonly string Prefix = "anon-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + "-";
    private static long _next;

    public static string Next() => Prefix + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
