using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Lifecycle;

public static class ShutdownExtensions
{
    /// <summary>
    /// Adds the replica's shutdown (<see cref="ReplicaShutdown"/>): its readiness check, its drain, and the host's
    /// shutdown timeout from <see cref="ShutdownOptions.Timeout"/>.
    /// </summary>
    public static void AddReplicaShutdown(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShutdownOptions>()
            .BindConfiguration(ShutdownOptions.SectionName)
            .Validate(
                shutdown => shutdown.Drain < shutdown.Timeout,
                "Spike:Shutdown:Timeout must exceed Spike:Shutdown:Drain: the drain is part of the shutdown, the requests in flight and leaving the membership come after it.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);

        builder.Services.AddSingleton<ReplicaShutdown>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReplicaShutdown>());
        // Its own check, beside the sale's: readiness fails from the first moment of a stop, whatever else is healthy.
        builder.Services.AddHealthChecks().AddCheck<ReplicaShutdown>("shutdown");
    }

    /// <summary>
    /// While a replica drains, each HTTP/1.1 answer closes its connection: a client or proxy holding a pooled connection
    /// to it opens a new one, which a load balancer sends to a ready replica, before the listener closes under it.
    /// </summary>
    public static IApplicationBuilder UseShutdownDrain(this IApplicationBuilder app)
    {
        var shutdown = app.ApplicationServices.GetRequiredService<ReplicaShutdown>();
        return app.Use((context, next) =>
        {
            if (shutdown.IsStopping && HttpProtocol.IsHttp11(context.Request.Protocol))
            {
                context.Response.Headers.Connection = "close";
            }

            return next(context);
        });
    }
}
