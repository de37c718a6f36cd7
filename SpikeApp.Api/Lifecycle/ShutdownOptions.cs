using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Lifecycle;

public sealed class ShutdownOptions
{
    public const string SectionName = "Spike:Shutdown";

    /// <summary>
    /// After SIGTERM, how long the replica, unready, still serves new requests before its listener closes: Kubernetes
    /// removes a terminating pod from its endpoints while it sends the signal, so requests keep arriving for a moment.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Spike:Shutdown:Drain must be from 00:00:00 to 00:01:00.")]
    public TimeSpan Drain { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The whole shutdown (the drain, the requests in flight, leaving the membership): the host's shutdown timeout. Below
    /// Kubernetes' default grace period, so the replica exits on its own before it would be killed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Spike:Shutdown:Timeout must be from 00:00:01 to 00:10:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);
}

[OptionsValidator]
internal sealed partial class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>;
