using Microsoft.Extensions.Options;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Errors;
using SpikeApp.Api.Sales;
using SpikeApp.Api.Stock;
using SpikeApp.Store;
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

        builder.AddSaleStore();

        builder.Services.AddSingleton<SaleRegistry>();
        builder.Services.AddSingleton<ReplicaIdentity>();
        builder.Services.AddSingleton<StockTelemetry>();
        builder.Services.AddSingleton<SliceRefiller>();
        builder.Services.AddSingleton<PurchaseService>();
        builder.Services.AddSingleton<SaleReconciler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SaleReconciler>());
        builder.Services.AddHealthChecks().AddCheck<SaleReconciler>("sale");

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

    /// <summary>The shared Redis multiplexer, configured so no call waits past <see cref="SpikeOptions.RedisTimeoutMilliseconds"/>, and the store over it.</summary>
    private static void AddSaleStore(this IHostApplicationBuilder builder)
    {
        // Redis calls are traced by the store's own client spans (StoreTelemetry).
        builder.AddRedisClient("redis", configureSettings: settings => settings.DisableTracing = true);
        builder.Services.AddOptions<ConfigurationOptions>().Configure<IOptions<SpikeOptions>>((redis, spike) =>
        {
            var timeout = spike.Value.RedisTimeoutMilliseconds;
            // A purchase must answer (503) within the timeout rather than queue behind a dead or stalled Redis.
            redis.AsyncTimeout = timeout;
            redis.SyncTimeout = timeout;
            redis.ConnectTimeout = Math.Max(timeout, 1000);
            redis.AbortOnConnectFail = false;
            // While disconnected, fail at once (503 + Retry-After) instead of parking purchases in a backlog.
            redis.BacklogPolicy = BacklogPolicy.FailFast;
        });

        builder.Services.AddSingleton(services => new RedisSaleStore(
            services.GetRequiredService<IConnectionMultiplexer>(),
            TimeSpan.FromMilliseconds(services.GetRequiredService<IOptions<SpikeOptions>>().Value.RedisTimeoutMilliseconds)));
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(StoreTelemetry.ActivitySourceName));
    }
}
