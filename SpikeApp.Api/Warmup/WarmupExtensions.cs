using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Warmup;

public static class WarmupExtensions
{
    /// <summary>
    /// Adds the warm-up that runs this replica's hot paths on a scratch sale before <c>/health</c> reports ready, as its
    /// own health check (so other readiness conditions compose with it), and the first middleware that serves its requests.
    /// </summary>
    public static IHostApplicationBuilder AddWarmup(this IHostApplicationBuilder builder)
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
        builder.Services.AddTransient<IStartupFilter, WarmupStartupFilter>();
        return builder;
    }

    /// <summary>First in the pipeline, so every middleware after it resolves the scratch sale's components for a warm-up request.</summary>
    private sealed class WarmupStartupFilter(WarmupService warmup) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                warmup.Redirect(context);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
