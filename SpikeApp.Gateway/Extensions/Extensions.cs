using System.Diagnostics;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using SpikeApp.Gateway.Balancing;
using SpikeApp.Gateway.Forwarding;
using SpikeApp.Gateway.Health;
using SpikeApp.Gateway.Routing;
using SpikeApp.Gateway.SharedAnswers;
using SpikeApp.Gateway.Telemetry;
using SpikeApp.Gateway.Warmup;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Transforms;

namespace SpikeApp.Gateway.Extensions;

internal static class Extensions
{
    /// <summary>Adds YARP over the replicas named in <c>ReverseProxy:Clusters:api</c>, resolved by service discovery.</summary>
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, gateway) =>
        {
            kestrel.Limits.MaxConcurrentConnections = gateway.Value.MaxConnections;
            kestrel.Limits.MaxRequestBodySize = gateway.Value.MaxRequestBodyBytes;
        });

        // Each trace starts at the gateway (TraceContext). ASP.NET Core takes the server span's parent from this service;
        // OpenTelemetry's ASP.NET Core instrumentation re-reads the headers itself unless the default propagator is W3C's.
        builder.Services.Replace(ServiceDescriptor.Singleton<DistributedContextPropagator>(new ClientTraceContextPropagator()));
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ListenerPolicy>());
        builder.Services.AddSingleton<SharedAnswerCache>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddConfigFilter<WeightsConfigFilter>()
            .AddTransforms(transform => transform
                .AddRequestTransform(TraceContext.PropagateAsync)
                .AddResponseTransform(TraceContext.FollowReplicaAsync)
                .AddResponseTransform(transform.Services.GetRequiredService<SharedAnswerCache>().KeepAsync));
        builder.Services.AddSingleton<IForwarderHttpClientFactory, ReplicaHttpClientFactory>();
        builder.Services.AddSingleton<ILoadBalancingPolicy, WeightedRoundRobinPolicy>();
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy, TransportFailurePolicy>();
        builder.Services.AddSingleton<IActiveHealthCheckPolicy, ReplicaProbePolicy>();
        builder.Services.AddHealthChecks().AddCheck<ReplicasHealthCheck>("replicas");
        builder.AddGatewayWarmup();

        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(GatewayTelemetry.MeterName));
    }

    /// <summary>
    /// Answers what the gateway stored and forwards the public routes on the public port; the admin routes and health
    /// answer on the admin port only; anything else is 404.
    /// </summary>
    public static void MapGateway(this WebApplication app)
    {
        app.Use(TraceContext.LinkClientAsync);
        // Ahead of the proxy's own pipeline: a known "sold out" costs no proxy state and no place among the requests in flight.
        app.UseMiddleware<SharedAnswerMiddleware>();
        app.MapFallback("{**path}", GatewayAnswers.WriteNotFoundAsync).WithMetadata(ListenerPolicy.AnyListener.Instance);
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<AdmissionMiddleware>();
            // Before load balancing, so a request resent after a refused connection is balanced again over the others.
            proxy.UseMiddleware<FailoverMiddleware>();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
    }
}
