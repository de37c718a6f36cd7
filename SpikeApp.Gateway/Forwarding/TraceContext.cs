using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>
/// The gateway starts every trace (<see cref="ClientTraceContextPropagator"/>): a client's trace context is kept as a link,
/// never as the parent, so no client chooses which of its requests are sampled, or hides them.
/// </summary>
internal static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string TraceResponse = "traceresponse";

    /// <summary>The client's span, if it sent one, linked from the gateway's server span.</summary>
    public static Task LinkClientAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Request.Headers;
        if (headers.TryGetValue(TraceParent, out var traceParent)
            && context.Features.Get<IHttpActivityFeature>()?.Activity is { IsAllDataRequested: true } request
            && ActivityContext.TryParse(traceParent.ToString(), headers[TraceState].ToString(), isRemote: true, out var client))
        {
            request.AddLink(new ActivityLink(client));
        }

        return next(context);
    }

    /// <summary>The gateway's server span is the replica's parent, so a purchase reads gateway → api in the dashboard.</summary>
    public static ValueTask PropagateAsync(RequestTransformContext context)
    {
        // Whatever the client sent is dropped even when the gateway traces nothing: a replica samples by its parent.
        var headers = context.ProxyRequest.Headers;
        headers.Remove(TraceParent);
        headers.Remove(TraceState);
        if (context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id } request)
        {
            headers.TryAddWithoutValidation(TraceParent, id);
            if (request.TraceStateString is { } state)
            {
                headers.TryAddWithoutValidation(TraceState, state);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A replica that drops a trace says so in a <c>traceresponse</c> (W3C Level 2); the gateway drops its span too.</summary>
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
