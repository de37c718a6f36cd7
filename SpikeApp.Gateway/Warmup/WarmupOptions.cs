using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpikeApp.Gateway.Warmup;

/// <summary>The warm-up the gateway runs before it reports ready; bound from <c>Gateway:Warmup</c>.</summary>
public sealed class WarmupOptions
{
    public const string SectionName = "Gateway:Warmup";

    /// <summary>Off: <c>/health</c> does not wait for a warm-up (the first requests then meet cold code and no pooled connection).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Requests forwarded through the gateway's own public port to the replicas in the first three rounds; a round more
    /// of the same size while the JIT still compiles (<see cref="WarmupRounds"/>).
    /// </summary>
    [Range(3, 100_000, ErrorMessage = "Gateway:Warmup:Requests must be from 3 to 100000.")]
    public int Requests { get; set; } = 900;

    /// <summary>Longest one attempt may take; an attempt that fails or runs out is retried after <see cref="RetryInterval"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Gateway:Warmup:Timeout must be from 00:00:01 to 00:05:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Gateway:Warmup:RetryInterval must be from 00:00:00.100 to 00:05:00.")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);
}

[OptionsValidator]
internal sealed partial class WarmupOptionsValidator : IValidateOptions<WarmupOptions>;
