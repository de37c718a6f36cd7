using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpikeApp.Orders;

public sealed class OrdersOptions
{
    public const string SectionName = "Orders";

    /// <summary>Stream entries read and stored in one transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>How long to wait before polling again when no stream had anything new.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan IdleDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>An entry another processor was given but has not acknowledged for this long is taken over.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ClaimAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A sale Redis lost or closed is restored or opened at most this long after.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan LedgerCheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>This processor's consumer name in the stream's group; the name Aspire gives the instance when empty.</summary>
    public string? ConsumerName { get; set; }
}

[OptionsValidator]
internal sealed partial class OrdersOptionsValidator : IValidateOptions<OrdersOptions>;
