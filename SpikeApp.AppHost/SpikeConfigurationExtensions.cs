using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost;

internal static class SpikeConfigurationExtensions
{
    /// <summary>Set per replica by the AppHost: one value passed to the AppHost would give every replica the same.</summary>
    private const string PerReplicaKey = SpikeSettings.SectionName + ":ReplicaId";

    /// <summary>How many replicas the AppHost runs, its own: a replica learns how many share a sale from Redis' membership.</summary>
    private const string ReplicasKey = SpikeSettings.SectionName + ":" + nameof(SpikeSettings.Replicas);

    private const string SeedApiKey = SpikeSettings.SectionName + ":SeedApi:Enabled";

    /// <summary>
    /// Passes the <c>Spike</c> section to the API as it is, then the values the AppHost decides: when published, the
    /// seed's anonymous routes off unless configured. No replica is told a count, run or published.
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

        if (!api.ApplicationBuilder.ExecutionContext.IsRunMode && configuration[SeedApiKey] is null)
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
