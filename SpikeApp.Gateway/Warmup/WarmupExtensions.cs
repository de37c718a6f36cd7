using Microsoft.Extensions.Options;

namespace SpikeApp.Gateway.Warmup;

internal static class WarmupExtensions
{
    /// <summary>Adds the warm-up that forwards through the gateway before <c>/health</c> reports ready, as its own health check.</summary>
    public static IHostApplicationBuilder AddGatewayWarmup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WarmupOptions>()
            .BindConfiguration(WarmupOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WarmupOptions>, WarmupOptionsValidator>();
        builder.Services.AddSingleton<WarmupService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WarmupService>());
        // /health waits on it as a gate; as a check it reports for diagnostics only.
        builder.Services.AddSingleton<IReadinessGate>(services => services.GetRequiredService<WarmupService>());
        builder.Services.AddHealthChecks().AddCheck<WarmupService>("warmup", tags: [ReadinessEndpointMetadata.GateTag]);
        return builder;
    }
}
