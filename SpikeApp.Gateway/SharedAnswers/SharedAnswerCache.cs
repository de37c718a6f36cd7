using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;
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

    // Moves when a write starts and when one succeeded: an answer whose request was out meanwhile may tell what held
    // before the write, so it is not stored.
    private long _generation;

    public bool Enabled => _maxAgeTicks > 0;

    /// <summary>
    /// A GET the store may answer and keep the answer of: no query (not part of the key), no client asking to bypass
    /// caches, and no credentials. RFC 9111 (section 3.5) would let an <c>s-maxage</c> answer to an authenticated request be
    /// shared; the gateway never does, since what a replica tells a buyer may be that buyer's alone.
    /// </summary>
    public static bool IsCandidate(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.QueryString.HasValue
        && !request.Headers.ContainsKey(HeaderNames.CacheControl)
        && !request.Headers.ContainsKey(HeaderNames.Pragma)
        && !request.Headers.ContainsKey(HeaderNames.Authorization);

    /// <summary>
    /// The resource as the replicas read it: the route and its values, so the ways of spelling one path (case, escapes, a
    /// trailing slash) share one entry, while a sale id keeps its case.
    /// </summary>
    public static string KeyOf(RouteModel route, RouteEndpoint endpoint, HttpRequest request)
    {
        var parameters = endpoint.RoutePattern.Parameters;
        if (parameters.Count == 0)
        {
            return route.Config.RouteId;
        }

        var key = new StringBuilder(route.Config.RouteId);
        foreach (var parameter in parameters)
        {
            var value = request.RouteValues[parameter.Name]?.ToString() ?? string.Empty;
            key.Append(CultureInfo.InvariantCulture, $"/{value.Length}:{value}");
        }

        return key.ToString();
    }

    public bool TryGetFresh(string key, long now, [NotNullWhen(true)] out SharedAnswer? answer)
    {
        if (_answers.TryGetValue(key, out answer))
        {
            if (now < answer.FreshUntil)
            {
                return true;
            }

            _answers.TryRemove(KeyValuePair.Create(key, answer));
        }

        answer = null;
        return false;
    }

    /// <summary>Before a candidate is forwarded: its answer's age counts from now, and only if no write comes between.</summary>
    public void Forwarding(HttpContext context, string key) =>
        context.Features.Set(new ForwardedCandidate(key, Volatile.Read(ref _generation), Stopwatch.GetTimestamp()));

    /// <summary>Before a write is forwarded: what is answered while it runs is not stored.</summary>
    public void WriteStarting() => Interlocked.Increment(ref _generation);

    /// <summary>After a write succeeded (RFC 9111, section 4.4): what a stored answer says may have changed.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        if (!_answers.IsEmpty)
        {
            _answers.Clear();
        }
    }

    /// <summary>Stores an answer offered to shared caches, then sends the client the bytes it read.</summary>
    public async ValueTask KeepAsync(ResponseTransformContext context)
    {
        var http = context.HttpContext;
        if (http.Features.Get<ForwardedCandidate>() is not { } forwarded
            || context.ProxyResponse is not { Content: { } content } proxyResponse
            || proxyResponse.Headers.CacheControl is not { SharedMaxAge: { } sharedMaxAge } cacheControl
            || sharedMaxAge <= TimeSpan.Zero)
        {
            return;
        }

        // Fresh for the replica's s-maxage or the gateway's limit, whichever is shorter, from when the request left.
        var now = Stopwatch.GetTimestamp();
        var lifetime = Math.Min(_maxAgeTicks, (long)(sharedMaxAge.TotalSeconds * Stopwatch.Frequency));
        var freshUntil = forwarded.SentAt + lifetime;
        var cacheControls = SharedAnswer.CacheControlsFor(cacheControl, lifetime);
        var response = http.Response;
        response.Headers.CacheControl = SharedAnswer.CacheControlAt(cacheControls, freshUntil - now);
        if (cacheControl.NoStore
            || cacheControl.Private
            || proxyResponse.Headers.Vary.Count > 0
            || content.Headers.ContentLength is not (>= 0 and <= MaxBodyBytes)
            || now >= freshUntil
            || Volatile.Read(ref _generation) != forwarded.Generation
            || !HasRoom(forwarded.Key, now))
        {
            return;
        }

        var body = await content.ReadAsByteArrayAsync(context.CancellationToken);
        var answer = new SharedAnswer(response.StatusCode, response.ContentType, cacheControls, body, forwarded.SentAt, freshUntil);
        _answers[forwarded.Key] = answer;
        // A write that started while the body was read may have been forgotten already.
        if (Volatile.Read(ref _generation) != forwarded.Generation)
        {
            _answers.TryRemove(KeyValuePair.Create(forwarded.Key, answer));
        }

        context.SuppressResponseBody = true;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.CancellationToken);
    }

    /// <summary>A full store makes room only from answers past their time: a fresh one is never pushed out.</summary>
    private bool HasRoom(string key, long now)
    {
        if (_answers.Count < MaxAnswers || _answers.ContainsKey(key))
        {
            return true;
        }

        foreach (var entry in _answers)
        {
            if (entry.Value.FreshUntil <= now)
            {
                _answers.TryRemove(entry);
            }
        }

        return _answers.Count < MaxAnswers;
    }
}
