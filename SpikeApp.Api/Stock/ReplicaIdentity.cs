using Microsoft.Extensions.Options;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

public sealed class ReplicaIdentity(IOptions<SpikeOptions> options, IConfiguration configuration)
{
    public string Id { get; } = InstanceNames.Resolve(options.Value.ReplicaId, configuration["OTEL_RESOURCE_ATTRIBUTES"]);
}
