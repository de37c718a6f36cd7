using System.Diagnostics;
using Yarp.ReverseProxy.Forwarder;

namespace SpikeApp.Gateway.Forwarding;

internal sealed class ReplicaHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    /// <summary>A replica on the same host connects at once; one that does not within a second is treated as down.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        // TraceContext writes the headers: this propagator would name whatever activity is current in the handler.
        handler.ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator();
        handler.ConnectTimeout = ConnectTimeout;
    }
}
