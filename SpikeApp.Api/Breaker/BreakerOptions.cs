using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Breaker;

public sealed class BreakerOptions
{
    public const string SectionName = "Spike:Breaker";

    /// <summary>Redis calls of purchases (and other requests) that fail in a row before the breaker opens.</summary>
    [Range(1, 1000, ErrorMessage = "Spike:Breaker:FailureThreshold must be from 1 to 1000.")]
    public int FailureThreshold { get; set; } = 3;

    /// <summary>How long an open breaker answers 503 at once before one probe asks Redis whether it answers again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Spike:Breaker:BreakDuration must be from 00:00:00.010 to 00:01:00.")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(1);
}

[OptionsValidator]
internal sealed partial class BreakerOptionsValidator : IValidateOptions<BreakerOptions>;
