using Microsoft.Extensions.Options;
using SpikeApp.Contracts;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Sales;
using SpikeApp.Orders.Ledger;
using SpikeApp.Orders.Persistence;
using SpikeApp.Orders.Processing;
using SpikeApp.Store;
using SpikeApp.Store.Expiry;

namespace SpikeApp.Orders.Extensions;

internal static class Extensions
{
    /// <summary>Redis command timeout of the processor: it is no purchase path, so it may wait longer than the API.</summary>
    private static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Adds the order processor: options, the sale store and its expiry, PostgreSQL, the persister, the ledger and the read API's answers.</summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OrdersOptions>()
            .BindConfiguration(OrdersOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrdersOptions>, OrdersOptionsValidator>();
        // The sale the ledger creates when it never saw it: the same setting the replicas serve /buy/skill from.
        builder.Services.AddOptions<DefaultSaleOptions>()
            .BindConfiguration(DefaultSaleOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.AddSaleStore(_ => RedisTimeout);
        // The replicas run the same expiry (Spike:ExpiryInterval): it goes on while this processor is down.
        builder.AddOrderExpiry(OrdersOptions.SectionName);
        builder.AddNpgsqlDataSource("ordersdb");

        builder.Services.AddSingleton<LedgerSchema>();
        builder.Services.AddSingleton<OrderLedger>();
        builder.Services.AddSingleton<OrdersTelemetry>();
        builder.Services.AddSingleton<OrderPersister>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OrderPersister>());
        builder.Services.AddSingleton<LedgerKeeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LedgerKeeper>());
        builder.Services.AddHealthChecks()
            .AddCheck<OrderPersister>("orders-schema")
            .AddCheck<LedgerKeeper>("ledger");

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(OrdersTelemetry.ActivitySourceName))
            .WithMetrics(metrics => metrics.AddMeter(OrdersTelemetry.MeterName));

        builder.Services.AddSpikeProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default));
    }
}
