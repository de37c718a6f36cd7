using System.Globalization;
using Microsoft.Extensions.Options;
using SpikeApp.Gateway.Telemetry;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>
/// Answered at once rather than queued behind the replicas' connections: a body larger than the gateway forwards (413, no
/// replica could take it) and, beyond the limit of requests in flight, any request (429).
/// </summary>
internal sealed class AdmissionMiddleware(RequestDelegate next, IOptions<GatewayOptions> options, GatewayTelemetry telemetry)
{
    private readonly int _limit = options.Value.MaxConcurrentRequests;
    private readonly long _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    private readonly string _retryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    private int _inFlight;

    public async Task InvokeAsync(HttpContext context)
    {
        // A body announced too large; one sent in chunks is cut off by Kestrel's limit while forwarded (FailoverMiddleware).
        if (context.Request.ContentLength > _maxBodyBytes)
        {
            await GatewayAnswers.WriteBodyTooLargeAsync(context);
            return;
        }

        if (Interlocked.Increment(ref _inFlight) > _limit)
        {
            Interlocked.Decrement(ref _inFlight);
            telemetry.RecordRefused(GatewayTelemetry.RefusalReasons.Overloaded);
            await GatewayAnswers.WriteOverloadedAsync(context, _retryAfter);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
