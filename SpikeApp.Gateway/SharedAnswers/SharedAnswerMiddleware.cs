using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SpikeApp.Gateway.Telemetry;
using Yarp.ReverseProxy.Model;

namespace SpikeApp.Gateway.SharedAnswers;

/// <summary>A stored answer's trace is kept at <see cref="GatewayOptions.SharedAnswerTraceRatio"/>, as a replica keeps a known "sold out".</summary>
internal sealed class SharedAnswerMiddleware(RequestDelegate next, SharedAnswerCache store, GatewayTelemetry telemetry, IOptions<GatewayOptions> options)
{
    public const string AnswerTag = "spike.gateway.answer";

    private readonly TraceIdRatio _traces = new(options.Value.SharedAnswerTraceRatio);

    public Task InvokeAsync(HttpContext context)
    {
        // Only what is forwarded is stored or moves what is stored; the gateway's own answers (404, health) do neither.
        if (!store.Enabled || context.GetEndpoint() is not RouteEndpoint endpoint || endpoint.Metadata.GetMetadata<RouteModel>() is not { } route)
        {
            return next(context);
        }

        var request = context.Request;
        if (SharedAnswerCache.IsCandidate(request))
        {
            var key = SharedAnswerCache.KeyOf(route, endpoint, request);
            var now = Stopwatch.GetTimestamp();
            if (store.TryGetFresh(key, now, out var answer))
            {
                telemetry.RecordSharedAnswer();
                if (context.Features.Get<IHttpActivityFeature>()?.Activity is { } activity && _traces.KeepOrDrop(activity))
                {
                    activity.SetTag(AnswerTag, "stored");
                }

                return answer.WriteAsync(context, now);
            }

            store.Forwarding(context, key);
            return next(context);
        }

        return IsSafe(request.Method) ? next(context) : ForwardWriteAsync(context);
    }

    private async Task ForwardWriteAsync(HttpContext context)
    {
        store.WriteStarting();
        await next(context);
        if (context.Response.StatusCode < StatusCodes.Status400BadRequest)
        {
            store.Forget();
        }
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
}
