using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpikeApp.Api.Admission;

public sealed class AdmissionOptions
{
    public const string SectionName = "Spike:Admission";

    /// <summary>Purchases this replica serves at once.</summary>
    [Range(1, 100_000)]
    public int PermitLimit { get; set; } = 256;

    /// <summary>Purchases that may wait for a permit; beyond it a request is shed with 429 at once.</summary>
    [Range(0, 100_000)]
    public int QueueLimit { get; set; } = 256;

    /// <summary>Largest request body accepted; a larger one is refused with 413 before it is read.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;
}

[OptionsValidator]
internal sealed partial class AdmissionOptionsValidator : IValidateOptions<AdmissionOptions>;
