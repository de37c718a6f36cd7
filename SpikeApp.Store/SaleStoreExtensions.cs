using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SpikeApp.Store;

public static class SaleStoreExtensions
{
    /// <summary>
    /// Adds the sale store over one shared Redis multiplexer (Aspire's client for connection <paramref name="connectionName"/>):
    /// <see cref="RedisSaleStore"/>, <see cref="OrderFeed"/> and the store's client spans. No call waits longer than
    /// <paramref name="commandTimeout"/>, and while Redis is unreachable calls fail at once instead of queueing.
    /// </summary>
    /// <param name="commandTimeout">Read from the service's own options when the store is first resolved.</param>
    public static IHostApplicationBuilder AddSaleStore(this IHostApplicationBuilder builder, Func<IServiceProvider, TimeSpan> commandTimeout,
        string connectionName = "redis")
    {
        // Redis calls are traced by the store's own client spans (StoreTelemetry): Aspire's profiling-based
        // instrumentation held every command until its flush.
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
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(StoreTelemetry.ActivitySourceName));
        return builder;
    }
}
