using Microsoft.Extensions.Options;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Sales;
using SpikeApp.Api.Stock;
using StackExchange.Redis;

namespace SpikeApp.Api.Extensions;

internal static class Extensions
{
    /// <summary>Adds the sale service: options, the Redis client, the stock components and their telemetry.</summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SpikeOptions>()
            .BindConfiguration(SpikeOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SpikeOptions>, SpikeOptionsValidator>();

        var redisTimeout = builder.Configuration.GetValue($"{SpikeOptions.SectionName}:{nameof(SpikeOptions.RedisTimeoutMilliseconds)}", 1000);
        // Redis calls are traced by RedisSaleStore's own client spans (see StockTelemetry.StartRedisCall).
        builder.AddRedisClient("redis", configureSettings: settings => settings.DisableTracing = true, configureOptions: redis =>
        {
            // A purchase must answer (503) within the timeout rather than queue behind a dead or stalled Redis.
            redis.AsyncTimeout = redisTimeout;
            redis.SyncTimeout = redisTimeout;
            redis.ConnectTimeout = Math.Max(redisTimeout, 1000);
            redis.AbortOnConnectFail = false;
            // While disconnected, fail at once (503 + Retry-After) instead of parking purchases in a backlog.
            redis.BacklogPolicy = BacklogPolicy.FailFast;
        });

        builder.Services.AddSingleton<RedisSaleStore>();
        builder.Services.AddSingleton<SaleRegistry>();
        builder.Services.AddSingleton<ReplicaIdentity>();
        builder.Services.AddSingleton<StockTelemetry>();
        builder.Services.AddSingleton<PurchaseService>();
        builder.Services.AddSingleton<SaleBootstrapper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SaleBootstrapper>());
        builder.Services.AddHealthChecks().AddCheck<SaleBootstrapper>("sale");

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(StockTelemetry.ActivitySourceName))
            .WithMetrics(metrics => metrics.AddMeter(StockTelemetry.MeterName));

        builder.AddAdmissionControl();

        // Bad requests are answered, not thrown: a malformed body is the client's error, never a 500.
        builder.Services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = false);
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Type is null || context.ProblemDetails.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                context.ProblemDetails.Type = ProblemTypes.ForStatus(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            }
        });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
    }
}
