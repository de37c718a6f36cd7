using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Buyers;

/// <summary>How buyers' tokens are checked and how often one buyer may call; the issuers and keys are the framework's own <c>Authentication:Schemes:Bearer</c>.</summary>
public sealed class BuyerOptions
{
    public const string SectionName = "Spike:Buyers";

    /// <summary>Tolerated clock difference with the token issuer (the framework's default of five minutes keeps an expired token alive too long).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Spike:Buyers:ClockSkew must be from 00:00:00 to 00:05:00.")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    [Required]
    [ValidateObjectMembers]
    public BuyerRateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>A token bucket per buyer over purchases, order reads and payments: one buyer's script cannot crowd out the rest.</summary>
public sealed class BuyerRateLimitOptions
{
    /// <summary>The burst one buyer may send at once.</summary>
    [Range(1, 1_000_000)]
    public int TokenLimit { get; set; } = 20;

    /// <summary>Requests a buyer earns back per <see cref="ReplenishmentPeriod"/>.</summary>
    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "Spike:Buyers:RateLimit:ReplenishmentPeriod must be from 00:00:00.001 to 01:00:00.")]
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

[OptionsValidator]
internal sealed partial class BuyerOptionsValidator : IValidateOptions<BuyerOptions>;
