using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost;

internal static class SpikeConfigurationExtensions
{
    /// <summary>Set per replica by the AppHost: one value passed to the AppHost would give every replica the same.</summary>
    private const string PerReplicaKey = SpikeSettings.SectionName + ":ReplicaId";

    /// <summary>How many replicas the AppHost runs, its own: a replica learns how many share a sale from Redis' membership.</summary>
    private const string ReplicaCountKey = SpikeSettings.SectionName + ":" + nameof(SpikeSettings.Replicas);

    /// <summary>Passes the <c>Spike</c> section to the API as it is, then the values the AppHost decides.</summary>
    public static IResourceBuilder<ProjectResource> WithSpikeConfiguration(
        this IResourceBuilder<ProjectResource> api, IConfiguration configuration, SpikeSettings settings)
    {
        foreach (var (key, value) in configuration.GetSection(SpikeSettings.SectionName).AsEnumerable())
        {
            if (value is not null && !key.Equals(PerReplicaKey, StringComparison.OrdinalIgnoreCase) && !key.Equals(ReplicaCountKey, StringComparison.OrdinalIgnoreCase))
            {
                api.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        return api.WithDefaultSale(settings);
    }

    /// <summary>The default sale: the replicas serve <c>/buy/skill</c> from it, the order processor creates it.</summary>
    public static IResourceBuilder<ProjectResource> WithDefaultSale(this IResourceBuilder<ProjectResource> resource, SpikeSettings settings) =>
        resource
            .WithEnvironment("Spike__DefaultSale__Id", settings.DefaultSale.Id)
            .WithEnvironment("Spike__DefaultSale__Total", settings.DefaultSale.Total.ToString(CultureInfo.InvariantCulture));
}
