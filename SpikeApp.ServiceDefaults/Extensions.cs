using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public const string HealthEndpointPath = "/health";

    // Measured on every request, they say nothing http.*.request.duration and SpikeApp's own counters do not: on the hot
    // path they cost more than they tell.
    private static readonly string[] DroppedInstruments =
    [
        "http.server.active_requests",
        "http.client.active_requests",
        "aspnetcore.routing.match_attempts",
        "aspnetcore.rate_limiting.requests",
        "aspnetcore.rate_limiting.active_request_leases",
        "aspnetcore.rate_limiting.request_lease.duration",
    ];
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Adds the defaults every SpikeApp service runs with.</summary>
    /// <param name="traceHttpClients">False for a reverse proxy: its server span then parents the upstream's directly, so
    /// dropping the trace can still be decided before that span ends.</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, bool traceHttpClients = true) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry(traceHttpClients);
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>Configures logging, tracing and metrics, exported over OTLP when the AppHost provides an endpoint.</summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, bool traceHttpClients = true) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                foreach (var instrument in DroppedInstruments)
                {
                    metrics.AddView(instrument, MetricStreamConfiguration.Drop);
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(builder.Environment.ApplicationName)
                    .AddAspNetCoreInstrumentation(aspNetCore =>
                        // Probes poll every few seconds and a warm-up sends hundreds of requests before the process is
                        // ready; their spans would bury the purchases in the dashboard.
                        aspNetCore.Filter = context => !IsHealthProbe(context.Request.Path) && !WarmupRequests.IsWarmup(context.Request));
                if (traceHttpClients)
                {
                    tracing.AddHttpClientInstrumentation(http =>
                        http.FilterHttpRequestMessage = request => !IsHealthProbe(request.RequestUri?.AbsolutePath) && !WarmupRequests.IsWarmup(request));
                }
            });

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Adds the liveness check every service answers on <c>/alive</c>.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        return builder;
    }

    /// <summary>Maps <c>/health</c> (every check: ready to serve) and <c>/alive</c> (process responsive).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Health endpoints reveal nothing secret and the AppHost, tests and load balancers need them in every environment.
        var gates = app.Services.GetServices<IReadinessGate>().ToArray();
        if (gates.Length > 0)
        {
            app.Use((context, next) =>
                context.GetEndpoint()?.Metadata.GetMetadata<ReadinessEndpointMetadata>() is not null && Array.Exists(gates, gate => gate.Waiting is not null)
                    ? ReadinessEndpointMetadata.AnswerWaitingAsync(context)
                    : next(context));
        }

        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { Predicate = check => !check.Tags.Contains(ReadinessEndpointMetadata.GateTag) })
            .WithMetadata(ReadinessEndpointMetadata.Instance);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });

        return app;
    }

    private static bool IsHealthProbe(string? path) =>
        path is not null
        && (path.StartsWith(HealthEndpointPath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith(AlivenessEndpointPath, StringComparison.OrdinalIgnoreCase));
}
