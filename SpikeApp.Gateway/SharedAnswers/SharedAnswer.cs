using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace SpikeApp.Gateway.SharedAnswers;

/// <summary>
/// A stored answer. Its <c>Age</c> counts from when its request was sent, and the <c>s-maxage</c> it passes on is what
/// remains of its time here, so no cache after the gateway keeps it longer than the gateway would.
/// </summary>
/// <param name="CacheControls">The replica's <c>Cache-Control</c> with <c>s-maxage</c> set to each whole second that may remain.</param>
internal sealed record SharedAnswer(int StatusCode, string? ContentType, string[] CacheControls, byte[] Body, long SentAt, long FreshUntil)
{
    private static readonly string[] AgeSeconds = [.. Enumerable.Range(0, 60).Select(seconds => seconds.ToString(CultureInfo.InvariantCulture))];

    public Task WriteAsync(HttpContext context, long now)
    {
        var response = context.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        response.ContentLength = Body.Length;
        response.Headers.CacheControl = CacheControlAt(CacheControls, FreshUntil - now);
        var age = (now - SentAt) / Stopwatch.Frequency;
        response.Headers.Age = age < AgeSeconds.Length ? AgeSeconds[age] : age.ToString(CultureInfo.InvariantCulture);
        return response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
    }

    /// <summary>Computed once per stored answer: replaying it costs no formatting.</summary>
    public static string[] CacheControlsFor(CacheControlHeaderValue replica, long lifetimeTicks)
    {
        var copy = (CacheControlHeaderValue)((ICloneable)replica).Clone();
        var values = new string[(lifetimeTicks / Stopwatch.Frequency) + 1];
        for (var seconds = 0; seconds < values.Length; seconds++)
        {
            copy.SharedMaxAge = TimeSpan.FromSeconds(seconds);
            values[seconds] = copy.ToString();
        }

        return values;
    }

    /// <summary>Whole seconds, rounded down: a cache after the gateway may keep it for less, never for more.</summary>
    public static string CacheControlAt(string[] cacheControls, long remainingTicks) =>
        cacheControls[Math.Clamp(remainingTicks / Stopwatch.Frequency, 0, cacheControls.Length - 1)];
}
