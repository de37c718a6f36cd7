using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Gateway;

/// <summary>What the gateway holds at most and how it answers when it cannot forward; bound from <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    public const string ReplicaClusterId = "api";

    /// <summary>Requests forwarded at once, including those waiting for a connection to a replica; beyond it, 429 at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentRequests { get; set; } = 2048;

    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 8192;

    /// <summary>
    /// The port of the gateway's admin endpoint (health, the admin routes), one of the ports it listens on; the other
    /// ports answer only the public routes. None: no admin endpoint.
    /// </summary>
    [Range(1, 65535)]
    public int? AdminPort { get; set; }

    /// <summary>Largest request body forwarded; a larger one is answered 413 (the API's own limit is smaller and answers 413 itself).</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How many other replicas a request that could not connect is resent to.</summary>
    [Range(0, 16)]
    public int MaxResends { get; set; } = 2;

    /// <summary>Stock that comes back is sold through the gateway at most this long after the replicas know it; 0 forwards all.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Gateway:MaxSharedAnswerAge must be from 00:00:00 to 00:01:00.")]
    public TimeSpan MaxSharedAnswerAge { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Lower than a replica's <c>Spike:SoldOutTraceRatio</c>: the gateway answers the whole flood, and the dashboard pays
    /// for ingesting every span kept (bench/README.md).
    /// </summary>
    [Range(0.0, 1.0)]
    public double SharedAnswerTraceRatio { get; set; } = 0.001;

    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = RetryAfter.DefaultSeconds;
}

[OptionsValidator]
internal sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>;
