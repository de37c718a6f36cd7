using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>
/// The trace context between the gateway and a replica, in both directions (W3C Trace Context, Level 2 for the answer).
/// </summary>
internal static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string TraceResponse = "traceresponse";

    /// <summary>
    /// Sends the gateway's own server span as the replica's parent, so a purchase reads gateway → api in the dashboard.
    /// (The forwarding client's propagator is switched off: it would name whatever activity is current inside the
    /// HTTP handler, which need not be a span anyone exports.)
    /// </summary>
    public static ValueTask PropagateAsync(RequestTransformContext context)
    {
        if (context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id } request)
        {
            var headers = context.ProxyRequest.Headers;
            headers.Remove(TraceParent);
            headers.Remove(TraceState);
            headers.TryAddWithoutValidation(TraceParent, id);
            if (request.TraceStateString is { } state)
            {
                headers.TryAddWithoutValidation(TraceState, state);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Lets the replica decide whether a request's trace is kept. A replica that drops the trace of a "sold out" it
    /// already knew about says so with a <c>traceresponse</c> whose sampled flag is off; the gateway then drops its own
    /// span of that request too, and keeps the header to itself.
    /// </summary>
    public static ValueTask FollowReplicaAsync(ResponseTransformContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        if (headers.TryGetValue(TraceResponse, out var value))
        {
            headers.Remove(TraceResponse);
            // version-traceid-spanid-flags: "00-" + 32 + "-" + 16 + "-" + 2 hex digits.
            if (value.Count == 1 && value[0] is { Length: 55 } traceResponse && traceResponse.EndsWith("-00", StringComparison.Ordinal)
                && context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity is { } request)
            {
                TraceIdRatio.Drop(request);
            }
        }

        return ValueTask.CompletedTask;
    }
}
