using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SpikeApp.Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>
/// A request that could not connect is sent to another replica; a body too large is answered 413; any other failure to
/// forward (none available, one that died mid-request, a timeout) is answered 503 with <c>Retry-After</c>, never 502 or 504.
/// </summary>
internal sealed class FailoverMiddleware(RequestDelegate next, IOptions<GatewayOptions> options, GatewayTelemetry telemetry)
{
    private readonly int _maxResends = options.Value.MaxResends;
    private readonly string _retryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations;
        for (var resends = 0; ; resends++)
        {
            await next(context);

            if (context.Features.Get<IForwarderErrorFeature>() is not { } failure
                || context.Response.HasStarted
                || context.RequestAborted.IsCancellationRequested)
            {
                // Forwarded; or YARP already aborted a response under way; or the buyer left.
                return;
            }

            // A chunked body that outgrew Gateway:MaxRequestBodyBytes (YARP took the status from Kestrel): no replica can take it.
            if (failure.Error == ForwarderError.RequestBodyClient && context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await GatewayAnswers.WriteBodyTooLargeAsync(context);
                return;
            }

            if (resends < _maxResends && NeverReachedReplica(failure) && proxy.ProxiedDestination is { } unreachable)
            {
                candidates = [.. candidates.Where(destination => destination != unreachable)];
                if (candidates.Count > 0)
                {
                    telemetry.RecordResend();
                    context.Features.Get<IHttpActivityFeature>()?.Activity.AddEvent(new ActivityEvent("gateway.resend",
                        tags: new ActivityTagsCollection { ["spike.gateway.unreachable"] = unreachable.DestinationId }));
                    context.Features.Set<IForwarderErrorFeature>(null);
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    context.Response.Headers.Clear();
                    proxy.ProxiedDestination = null;
                    proxy.AvailableDestinations = candidates;
                    continue;
                }
            }

            telemetry.RecordRefused(GatewayTelemetry.RefusalReasons.Unavailable);
            await GatewayAnswers.WriteUnavailableAsync(context, _retryAfter);
            return;
        }
    }

    /// <summary>The connection was never made, so the request was never sent: resending it cannot buy twice.</summary>
    private static bool NeverReachedReplica(IForwarderErrorFeature failure) =>
        failure.Error == ForwarderError.Request
        && failure.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
            or HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };
}
