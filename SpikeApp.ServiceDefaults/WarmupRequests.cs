using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A process's requests to itself before it reports ready: marked with a key only this process knows, so no client can
/// pass one off as warm-up (and hide it from traces or steer it to the warm-up's scratch sale).
/// </summary>
public static class WarmupRequests
{
    public const string HeaderName = "X-Spike-Warmup";

    private static readonly string Key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private static readonly byte[] KeyBytes = Encoding.ASCII.GetBytes(Key);

    /// <summary>Marks a request this process sends to itself as warm-up.</summary>
    public static void Mark(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.TryAddWithoutValidation(HeaderName, Key);
    }

    /// <summary>True for a warm-up request this process sent to itself.</summary>
    public static bool IsWarmup(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.TryGetValue(HeaderName, out var values) && values.Count == 1 && Matches(values[0]);
    }

    /// <summary>True for a request <see cref="Mark"/> marked.</summary>
    public static bool IsWarmup(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.TryGetValues(HeaderName, out var values) && values.FirstOrDefault() is { } value && Matches(value);
    }

    private static bool Matches(string? value) =>
        value is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(value), KeyBytes);
}
