using System.Diagnostics;
using Yarp.ReverseProxy.Forwarder;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>The client the gateway forwards with: trace headers written by <see cref="TraceContext"/>, and a short connect timeout.</summary>
internal sealed class ReplicaHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    /// <summary>A replica on this machine connects in microseconds; one that does not within a second is treated as down.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator();
        handler.ConnectTimeout = ConnectTimeout;
    }
}
