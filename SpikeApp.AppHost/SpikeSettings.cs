using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost;

/// <summary>
/// The AppHost's own reading of the <c>Spike</c> section: how many replicas to run and which sale to create.
/// The rest of the section is the API's (<c>SpikeOptions</c>) and reaches every replica unchanged, so each setting
/// has one name and one default.
/// </summary>
internal sealed class SpikeSettings
{
    public const string SectionName = "Spike";

    public int Replicas { get; set; } = 3;

    public DefaultSaleSettings DefaultSale { get; set; } = new();

    public static SpikeSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(SectionName).Get<SpikeSettings>() ?? new SpikeSettings();
        if (settings.Replicas is < 1 or > 64)
        {
            throw new DistributedApplicationException($"Spike:Replicas is {settings.Replicas}; run 1 to 64 API replicas.");
        }

        if (settings.DefaultSale.Total < 1)
        {
            throw new DistributedApplicationException($"Spike:DefaultSale:Total is {settings.DefaultSale.Total}; a sale needs at least 1 unit.");
        }

        return settings;
    }
}

/// <summary>The sale the API creates at start-up (if Redis has none), and the one the dashboard's reset command restarts.</summary>
internal sealed class DefaultSaleSettings
{
    public string Id { get; set; } = "default";

    public int Total { get; set; } = 2000;
}
