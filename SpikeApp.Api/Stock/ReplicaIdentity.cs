using Microsoft.Extensions.Options;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>The name this replica signs its orders with: <c>Spike:ReplicaId</c>, else the name Aspire gives the replica.</summary>
public sealed class ReplicaIdentity(IOptions<SpikeOptions> options, IConfiguration configuration)
{
    public string Id { get; } = InstanceNames.Resolve(options.Value.ReplicaId, configuration["OTEL_RESOURCE_ATTRIBUTES"]);
}
