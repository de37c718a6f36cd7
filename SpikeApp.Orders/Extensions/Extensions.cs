using Microsoft.Extensions.Options;
using SpikeApp.Orders.Persistence;
using SpikeApp.Orders.Processing;
using SpikeApp.Orders.Reading;
using SpikeApp.Store;
using StackExchange.Redis;

namespace SpikeApp.Orders.Extensions;

internal static class Extensions
{
    /// <summary>Redis command timeout of the processor: it is no purchase path, so it may wait longer than the API.</summary>
    private static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Adds the order processor: options, Redis and PostgreSQL clients, the persister, the expirer and the read API's problem answers.</summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrdersOptions>()
            .BindConfiguration(OrdersOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrdersOptions>, OrdersOptionsValidator>();

        // Redis calls are few and batched here; the profiling-based instrumentation would hold them for 10 s anyway.
        builder.AddRedisClient("redis", configureSettings: settings => settings.DisableTracing = true,
            configureOptions: redis => redis.AbortOnConnectFail = false);
        builder.AddNpgsqlDataSource("orders");

        builder.Services.AddSingleton(services => new RedisSaleStore(services.GetRequiredService<IConnectionMultiplexer>(), RedisTimeout));
        builder.Services.AddSingleton(services => new OrderFeed(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddSingleton<OrderRepository>();
        builder.Services.AddSingleton<OrdersTelemetry>();
        builder.Services.AddSingleton<OrderPersister>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OrderPersister>());
        builder.Services.AddHostedService<OrderExpirer>();
        builder.Services.AddHealthChecks().AddCheck<OrderPersister>("orders-schema");

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(OrdersTelemetry.ActivitySourceName, StoreTelemetry.ActivitySourceName))
            .WithMetrics(metrics => metrics.AddMeter(OrdersTelemetry.MeterName));

        // Bad requests are answered, not thrown, and every error is a problem with one of our types.
        builder.Services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = false);
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Type is null || context.ProblemDetails.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                context.ProblemDetails.Type = OrderProblems.ForStatus(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            }
        });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, OrdersJsonContext.Default));
    }
}
