using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpikeApp.Store.Loops;
using StackExchange.Redis;

namespace SpikeApp.Store;

public static class SaleStoreExtensions
{
    /// <summary>
    /// Adds <see cref="RedisSaleStore"/> and <see cref="OrderFeed"/> over Aspire's shared Redis client, and
    /// <see cref="LoopTelemetry"/> for the background loops over them.
    /// </summary>
    /// <param name="commandTimeout">Read from the service's own options when the store is first resolved.</param>
    public static IHostApplicationBuilder AddSaleStore(this IHostApplicationBuilder builder, Func<IServiceProvider, TimeSpan> commandTimeout,
        string connectionName = "redis")
    {
        // Traced by StoreTelemetry's own spans instead: the profiling-based instrumentation held commands until its flush.
        builder.AddRedisClient(connectionName, configureSettings: settings => settings.DisableTracing = true);
        builder.Services.AddOptions<ConfigurationOptions>().Configure<IServiceProvider>((redis, services) =>
        {
            var timeout = (int)commandTimeout(services).TotalMilliseconds;
            redis.AsyncTimeout = timeout;
            redis.SyncTimeout = timeout;
            redis.ConnectTimeout = Math.Max(timeout, 1000);
            redis.AbortOnConnectFail = false;
            // While disconnected, fail at once (503 + Retry-After) instead of parking calls in a backlog.
            redis.BacklogPolicy = BacklogPolicy.FailFast;
        });

        builder.Services.AddSingleton(services => new RedisSaleStore(services.GetRequiredService<IConnectionMultiplexer>(), commandTimeout(services)));
        builder.Services.AddSingleton(services => new OrderFeed(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddSingleton<LoopTelemetry>();
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(StoreTelemetry.ActivitySourceName))
            .WithMetrics(metrics => metrics.AddMeter(LoopTelemetry.MeterName));
        return builder;
    }
}
