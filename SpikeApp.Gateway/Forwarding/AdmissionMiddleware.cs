using System.Globalization;
using Microsoft.Extensions.Options;
using SpikeApp.Gateway.Telemetry;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>Beyond the limit a request is answered 429 at once rather than queued behind the replicas' connections.</summary>
internal sealed class AdmissionMiddleware(RequestDelegate next, IOptions<GatewayOptions> options, GatewayTelemetry telemetry)
{
    private readonly int _limit = options.Value.MaxConcurrentRequests;
    private readonly string _retryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    private int _inFlight;

    public async Task InvokeAsync(HttpContext context)
    {
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
