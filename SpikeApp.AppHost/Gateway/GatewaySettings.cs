using Microsoft.Extensions.Configuration;

namespace SpikeApp.AppHost.Gateway;

/// <summary>The AppHost's part of the <c>Gateway</c> section; the rest is the gateway's own and reaches it unchanged.</summary>
internal sealed class GatewaySettings
{
    public const string SectionName = "Gateway";
    public const int DefaultPort = 5080;
    public const int MaxWeight = 100;

    /// <summary>The public URL's port; 0 lets Aspire pick a free one (tests do).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>The admin endpoint's port (health, the admin routes; not the public URL); 0 lets Aspire pick a free one.</summary>
    public int AdminPort { get; set; }

    /// <summary>Weight per replica name (<c>Gateway:Weights:api-1=2</c>); a replica not named weighs 1.</summary>
    public Dictionary<string, int> Weights { get; set; } = new(StringComparer.Ordinal);

    public static bool IsAppHostKey(string key) =>
        key.Equals($"{SectionName}:{nameof(Port)}", StringComparison.OrdinalIgnoreCase)
        || key.Equals($"{SectionName}:{nameof(AdminPort)}", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith($"{SectionName}:{nameof(Weights)}", StringComparison.OrdinalIgnoreCase);

    public static GatewaySettings From(IConfiguration configuration, IReadOnlyCollection<string> replicaNames)
    {
        var settings = configuration.GetSection(SectionName).Get<GatewaySettings>() ?? new GatewaySettings();
        if (settings.Port is < 0 or > 65535)
        {
            throw new DistributedApplicationException($"Gateway:Port is {settings.Port}; use a TCP port, or 0 for any free one.");
        }

        if (settings.AdminPort is < 0 or > 65535 || (settings.AdminPort != 0 && settings.AdminPort == settings.Port))
        {
            throw new DistributedApplicationException(
                $"Gateway:AdminPort is {settings.AdminPort}; use a TCP port other than Gateway:Port, or 0 for any free one.");
        }

        foreach (var (replica, weight) in settings.Weights)
        {
            if (!replicaNames.Contains(replica))
            {
                throw new DistributedApplicationException(
                    $"Gateway:Weights names '{replica}', which is not a replica; the replicas are {string.Join(", ", replicaNames)}.");
            }

            if (weight is < 1 or > MaxWeight)
            {
                throw new DistributedApplicationException($"Gateway:Weights:{replica} is {weight}; a weight is from 1 to {MaxWeight}.");
            }
        }

        return settings;
    }
}
