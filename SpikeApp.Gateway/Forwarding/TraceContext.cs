using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;

namespace SpikeApp.Gateway.Forwarding;

internal static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string TraceResponse = "traceresponse";

    /// <summary>The gateway's server span is the replica's parent, so a purchase reads gateway → api in the dashboard.</summary>
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
