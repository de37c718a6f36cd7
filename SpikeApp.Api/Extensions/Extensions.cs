using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Breaker;
using SpikeApp.Api.Buyers;
using SpikeApp.Api.Lifecycle;
using SpikeApp.Api.Stock;
using SpikeApp.Api.Warmup;
using SpikeApp.Contracts;
using SpikeApp.Contracts.Problems;
using SpikeApp.Store;
using SpikeApp.Store.Expiry;

namespace SpikeApp.Api.Extensions;

internal static class Extensions
{
    /// <summary>Adds the sale service: options, the sale store, the stock components and their telemetry.</summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SpikeOptions>()
            .BindConfiguration(SpikeOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SpikeOptions>, SpikeOptionsValidator>();
        builder.Services.AddOptions<BreakerOptions>()
            .BindConfiguration(BreakerOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BreakerOptions>, BreakerOptionsValidator>();

        // A purchase must answer (503) within the timeout rather than queue behind a dead or stalled Redis.
        builder.AddSaleStore(services => services.GetRequiredService<IOptions<SpikeOptions>>().Value.RedisTimeout);
        // Every replica expires unpaid orders too (one script per sale, safe from many processes): stock comes back on
        // sale while the order processor is down.
        builder.AddOrderExpiry(SpikeOptions.SectionName);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RedisClock>();
        builder.Services.AddSingleton<SaleRegistry>();
        builder.Services.AddSingleton<ReplicaIdentity>();
        builder.Services.AddSingleton<ReplicaMembership>();
        builder.Services.AddSingleton<StockTelemetry>();
        builder.Services.AddSingleton<RedisBreaker>();
        builder.Services.AddSingleton<SliceRefiller>();
        builder.Services.AddSingleton<PurchaseService>();
        builder.Services.AddSingleton<SaleReconciler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SaleReconciler>());
        builder.Services.AddHealthChecks().AddCheck<SaleReconciler>("sale");

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(StockTelemetry.ActivitySourceName))
            .WithMetrics(metrics => metrics.AddMeter(StockTelemetry.MeterName));

        builder.AddReplicaShutdown();
        builder.AddBuyerAuthentication();
        builder.AddBuyerRateLimit();
        builder.AddAdmissionControl();
        builder.AddWarmup();

        builder.Services.AddSpikeProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default));
    }
}
