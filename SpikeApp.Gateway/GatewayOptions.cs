using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Gateway;

/// <summary>What the gateway holds at most and how it answers when it cannot forward; bound from <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The YARP cluster of API replicas (<c>ReverseProxy:Clusters:api</c>).</summary>
    public const string ReplicaClusterId = "api";

    /// <summary>Requests forwarded at once, including those waiting for a connection to a replica; beyond it, 429 at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentRequests { get; set; } = 2048;

    /// <summary>Open client connections; Kestrel stops accepting beyond it.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 8192;

    /// <summary>Largest request body forwarded (the API's own limit is smaller and answers 413 itself).</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How many other replicas a request that could not connect is resent to.</summary>
    [Range(0, 16)]
    public int MaxResends { get; set; } = 2;

    /// <summary>
    /// Longest time the gateway replays an answer a replica offered to shared caches (a known "sold out") instead of
    /// forwarding: stock that comes back is sold through the gateway at most this long after the replicas know it.
    /// Zero forwards everything.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Gateway:MaxSharedAnswerAge must be from 00:00:00 to 00:01:00.")]
    public TimeSpan MaxSharedAnswerAge { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Share of the answers replayed by the gateway that keep their trace (0 to 1). Lower than a replica's
    /// <c>Spike:SoldOutTraceRatio</c>: the gateway answers the whole flood, and at 1% the dashboard spent a quarter of
    /// a core ingesting its spans (bench/README.md); 0.1% still shows one every few milliseconds under load.
    /// </summary>
    [Range(0.0, 1.0)]
    public double SharedAnswerTraceRatio { get; set; } = 0.001;

    /// <summary>The <c>Retry-After</c> of the gateway's own 429 and 503 answers.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = RetryAfter.DefaultSeconds;
}

[OptionsValidator]
internal sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>;
