using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost;

internal static class SpikeConfigurationExtensions
{
    /// <summary>Set per replica by the AppHost: one value passed to the AppHost would give every replica the same.</summary>
    private const string PerReplicaKey = SpikeSettings.SectionName + ":ReplicaId";

    /// <summary>Decided by the AppHost (its own replica count when run, none when published), not passed on as given.</summary>
    private const string ReplicasKey = SpikeSettings.SectionName + ":Replicas";

    private const string SeedApiKey = SpikeSettings.SectionName + ":SeedApi:Enabled";

    /// <summary>
    /// Passes the <c>Spike</c> section to the API as it is, then the values the AppHost decides: when run, the replica
    /// count; when published, no count (the orchestrator scales) and the seed's anonymous routes off unless configured.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSpikeConfiguration(
        this IResourceBuilder<ProjectResource> api, IConfiguration configuration, SpikeSettings settings)
    {
        foreach (var (key, value) in configuration.GetSection(SpikeSettings.SectionName).AsEnumerable())
        {
            if (value is not null && !key.Equals(PerReplicaKey, StringComparison.OrdinalIgnoreCase)
                && !key.Equals(ReplicasKey, StringComparison.OrdinalIgnoreCase))
            {
                api.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        if (api.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            api.WithEnvironment(ReplicasKey.Replace(":", "__", StringComparison.Ordinal), settings.Replicas.ToString(CultureInfo.InvariantCulture));
        }
        else if (configuration[SeedApiKey] is null)
        {
            // Published means production unless told otherwise: nobody buys there unnamed.
            api.WithEnvironment(SeedApiKey.Replace(":", "__", StringComparison.Ordinal), "false");
        }

        return api.WithDefaultSale(settings);
    }

    /// <summary>The default sale: the replicas serve <c>/buy/skill</c> from it, the order processor creates it.</summary>
    public static IResourceBuilder<ProjectResource> WithDefaultSale(this IResourceBuilder<ProjectResource> resource, SpikeSettings settings) =>
        resource
            .WithEnvironment("Spike__DefaultSale__Id", settings.DefaultSale.Id)
            .WithEnvironment("Spike__DefaultSale__Total", settings.DefaultSale.Total.ToString(CultureInfo.InvariantCulture));
}
