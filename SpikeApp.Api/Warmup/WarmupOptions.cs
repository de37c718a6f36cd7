using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Warmup;

/// <summary>The warm-up a replica runs before it reports ready; bound from <c>Spike:Warmup</c>.</summary>
public sealed class WarmupOptions
{
    public const string SectionName = "Spike:Warmup";

    /// <summary>Off: <c>/health</c> does not wait for a warm-up (the first requests then meet cold code).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Requests sent through this replica's own pipeline in the first three rounds; a round more of the same size while
    /// the JIT still compiles (<see cref="WarmupRounds"/>). In each, one in eight sells the scratch sale out, most of the
    /// rest meet its "sold out".
    /// </summary>
    [Range(24, 100_000, ErrorMessage = "Spike:Warmup:Requests must be from 24 to 100000.")]
    public int Requests { get; set; } = 1200;

    /// <summary>Longest one attempt may take; an attempt that fails or runs out is retried after <see cref="RetryInterval"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Spike:Warmup:Timeout must be from 00:00:01 to 00:05:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Spike:Warmup:RetryInterval must be from 00:00:00.100 to 00:05:00.")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);
}

[OptionsValidator]
internal sealed partial class WarmupOptionsValidator : IValidateOptions<WarmupOptions>;
