using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace SpikeApp.Gateway.SharedAnswers;

/// <summary>
/// A small shared cache (RFC 9111) of the answers replicas offer with <c>s-maxage</c>: today the seed route's known "sold
/// out", so the flood after a sale ends reaches no replica. Only a "no" is stored: the gateway cannot oversell.
/// </summary>
internal sealed class SharedAnswerCache(IOptions<GatewayOptions> options)
{
    /// <summary>Bounds what a flood of odd paths or a large answer could make the gateway hold.</summary>
    public const int MaxAnswers = 256;
    public const int MaxBodyBytes = 16 * 1024;

    private readonly ConcurrentDictionary<string, SharedAnswer> _answers = new(StringComparer.Ordinal);
    private readonly long _maxAgeTicks = (long)(options.Value.MaxSharedAnswerAge.TotalSeconds * Stopwatch.Frequency);

    public bool Enabled => _maxAgeTicks > 0;

    /// <summary>A GET the store may answer: no query (not part of the key), and no client asking to bypass caches.</summary>
    public static bool IsCandidate(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.QueryString.HasValue
        && !request.Headers.ContainsKey(HeaderNames.CacheControl)
        && !request.Headers.ContainsKey(HeaderNames.Pragma);

    public bool TryGetFresh(HttpRequest request, out SharedAnswer answer, out long ageTicks)
    {
        var now = Stopwatch.GetTimestamp();
        if (_answers.TryGetValue(request.Path.Value ?? string.Empty, out answer!) && now < answer.FreshUntil)
        {
            ageTicks = now - answer.StoredAt;
            return true;
        }

        ageTicks = 0;
        return false;
    }

    /// <summary>After a write succeeded (RFC 9111, section 4.4): what a stored answer says may have changed.</summary>
    public void Forget()
    {
        if (!_answers.IsEmpty)
        {
            _answers.Clear();
        }
    }

    /// <summary>Stores an answer offered to shared caches, then sends the client the bytes it read.</summary>
    public async ValueTask KeepAsync(ResponseTransformContext context)
    {
        var request = context.HttpContext.Request;
        var response = context.HttpContext.Response;
        if (!Enabled
            || context.ProxyResponse is not { Content: { } content } proxyResponse
            || !IsCandidate(request)
            || proxyResponse.Headers.CacheControl is not { SharedMaxAge: { } sharedMaxAge, NoStore: false, Private: false }
            || sharedMaxAge <= TimeSpan.Zero
            || proxyResponse.Headers.Vary.Count > 0
            || content.Headers.ContentLength is not (>= 0 and <= MaxBodyBytes)
            || (_answers.Count >= MaxAnswers && !_answers.ContainsKey(request.Path.Value ?? string.Empty)))
        {
            return;
        }

        var body = await content.ReadAsByteArrayAsync(context.CancellationToken);
        var storedAt = Stopwatch.GetTimestamp();
        var lifetime = Math.Min(_maxAgeTicks, (long)(sharedMaxAge.TotalSeconds * Stopwatch.Frequency));
        _answers[request.Path.Value ?? string.Empty] = new SharedAnswer(
            response.StatusCode, response.ContentType, response.Headers.CacheControl.ToString(), body, storedAt, storedAt + lifetime);

        context.SuppressResponseBody = true;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.CancellationToken);
    }
}

internal sealed record SharedAnswer(int StatusCode, string? ContentType, string CacheControl, byte[] Body, long StoredAt, long FreshUntil)
{
    private static readonly string[] AgeSeconds = [.. Enumerable.Range(0, 60).Select(seconds => seconds.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public Task WriteAsync(HttpContext context, long ageTicks)
    {
        var response = context.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        response.ContentLength = Body.Length;
        response.Headers.CacheControl = CacheControl;
        var age = ageTicks / Stopwatch.Frequency;
        response.Headers.Age = age < AgeSeconds.Length ? AgeSeconds[age] : age.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
    }
}
