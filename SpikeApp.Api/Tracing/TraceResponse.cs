using Microsoft.AspNetCore.Http.Features;

namespace SpikeApp.Api.Tracing;

/// <summary>A W3C Level 2 <c>traceresponse</c> sampled off tells the caller (the gateway) to drop its span of the request too.</summary>
public static class TraceResponse
{
    public const string HeaderName = "traceresponse";

    public static void AnnounceDropped(HttpContext context)
    {
        // Only a traced caller has a span to drop.
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is { Recorded: false, HasRemoteParent: true } request)
        {
            context.Response.Headers[HeaderName] = $"00-{request.TraceId}-{request.SpanId}-00";
        }
    }
}
