using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SpikeApp.Store.Expiry;

public static class OrderExpiryExtensions
{
    /// <summary>
    /// Adds the expiry of unpaid orders (<see cref="OrderExpirer"/>), its <c>expiry</c> health check and its telemetry, over
    /// the sale store (<see cref="SaleStoreExtensions.AddSaleStore"/> first). Safe in any number of processes at once.
    /// </summary>
    /// <param name="configurationSection">The host's own section, whose <c>ExpiryInterval</c> sets how often deadlines are checked.</param>
    public static IHostApplicationBuilder AddOrderExpiry(this IHostApplicationBuilder builder, string configurationSection)
    {
        builder.Services.AddOptions<OrderExpiryOptions>()
            .BindConfiguration(configurationSection)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrderExpiryOptions>>(new OrderExpiryOptionsValidator(configurationSection));

        builder.Services.AddSingleton<ExpiryTelemetry>();
        builder.Services.AddSingleton<OrderExpirer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OrderExpirer>());
        builder.Services.AddHealthChecks().AddCheck<OrderExpirer>(OrderExpirer.Loop);

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(ExpiryTelemetry.ActivitySourceName))
            .WithMetrics(metrics => metrics.AddMeter(ExpiryTelemetry.MeterName));
        return builder;
    }
}
