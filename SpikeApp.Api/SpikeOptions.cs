using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.Api;

public sealed class SpikeOptions
{
    public const string SectionName = "Spike";

    /// <summary>Extra stock each replica holds beyond its even share, so survivors can sell a dead replica's share.</summary>
    [Range(0.0, 100.0)]
    public double BufferRatio { get; set; } = 0.2;

    /// <summary>Overrides the computed slice size (units of stock this replica may sell per sale).</summary>
    [Range(1, int.MaxValue)]
    public int? SliceSize { get; set; }

    /// <summary>
    /// Names this replica in orders, spans, metrics and the sales' membership; derived from the Aspire instance id when
    /// empty. In Kubernetes, the pod name (downward API): a restarted pod may come back under another name.
    /// </summary>
    public string? ReplicaId { get; set; }

    /// <summary>Key required by the admin endpoints; admin endpoints are disabled when empty.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Longest a purchase waits on Redis before answering 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "Spike:RedisTimeout must be from 00:00:00.050 to 00:01:00.")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The backstop for a missed change message; a replica silent for three intervals no longer counts in slice sizes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Spike:ReconcileInterval must be from 00:00:00.100 to 00:01:00.")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Shortest gap between two refills of one sale's slice; a dry slice answers "sold out" meanwhile.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "Spike:RefillInterval must be from 00:00:00 to 00:00:10.")]
    public TimeSpan RefillInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Share of the "sold out" answers this replica already knew that keep their trace; all else is always traced.</summary>
    [Range(0.0, 1.0)]
    public double SoldOutTraceRatio { get; set; } = 0.01;

    /// <summary>How long a buyer has to pay; an order still unpaid then expires and its unit goes back on sale.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Spike:PaymentWindow must be from 00:00:01 to 7.00:00:00.")]
    public TimeSpan PaymentWindow { get; set; } = TimeSpan.FromMinutes(15);

    [Required]
    [ValidateObjectMembers]
    public DefaultSaleOptions DefaultSale { get; set; } = new();

    [Required]
    public SeedApiOptions SeedApi { get; set; } = new();

    public TimeSpan PresenceTimeToLive => 3 * ReconcileInterval;

    /// <summary>A gate, not an allocation: the replicas' shares (even, plus the buffer) may add up to more than what remains.</summary>
    public int SliceFor(long remaining, int replicas)
    {
        if (remaining <= 0)
        {
            return 0;
        }

        if (SliceSize is int explicitSize)
        {
            return (int)Math.Min(explicitSize, remaining);
        }

        var share = Math.Ceiling(remaining / (double)Math.Max(1, replicas) * (1 + BufferRatio));
        return (int)Math.Min(share, Math.Min(remaining, int.MaxValue));
    }
}

/// <summary>The Go demo's anonymous routes (<c>GET /buy/skill</c>), kept so its load test runs unchanged.</summary>
public sealed class SeedApiOptions
{
    /// <summary>On for development and the benchmarks; a production deployment turns it off (anyone may buy there, unnamed).</summary>
    public bool Enabled { get; set; } = true;
}

[OptionsValidator]
internal sealed partial class SpikeOptionsValidator : IValidateOptions<SpikeOptions>;
