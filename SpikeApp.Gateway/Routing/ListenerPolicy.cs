using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace SpikeApp.Gateway.Routing;

/// <summary>
/// Which port answers which endpoint: the public port only the routes marked public (the allow-list in
/// <c>ReverseProxy:Routes</c>), the admin port everything else (health, the admin routes). Decided by the port the
/// connection came in on, never by the <c>Host</c> header a client writes.
/// </summary>
internal sealed class ListenerPolicy(IOptions<GatewayOptions> options) : MatcherPolicy, IEndpointSelectorPolicy
{
    public const string ListenerMetadata = "Listener";
    public const string PublicListener = "public";

    private readonly int _adminPort = options.Value.AdminPort ?? -1;

    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onAdminPort = httpContext.Connection.LocalPort == _adminPort;
        for (var i = 0; i < candidates.Count; i++)
        {
            var endpoint = candidates[i].Endpoint;
            if (candidates.IsValidCandidate(i) && endpoint.Metadata.GetMetadata<AnyListener>() is null && IsPublic(endpoint) == onAdminPort)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>A route is public only when it says so: a route added without the mark stays on the admin port.</summary>
    private static bool IsPublic(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<RouteModel>()?.Config.Metadata is { } metadata
        && metadata.TryGetValue(ListenerMetadata, out var listener)
        && string.Equals(listener, PublicListener, StringComparison.OrdinalIgnoreCase);

    /// <summary>Marks an endpoint both ports answer (the gateway's "not found").</summary>
    public sealed class AnyListener
    {
        public static readonly AnyListener Instance = new();

        private AnyListener()
        {
        }
    }
}
