using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.AppHost;

/// <summary>The AppHost's part of the <c>Spike</c> section; the rest is the API's, so each setting has one name and one default.</summary>
internal sealed class SpikeSettings
{
    public const string SectionName = "Spike";

    public int Replicas { get; set; } = 3;

    public DefaultSaleOptions DefaultSale { get; set; } = new();

    public static SpikeSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(SectionName).Get<SpikeSettings>() ?? new SpikeSettings();
        if (settings.Replicas is < 1 or > 64)
        {
            throw new DistributedApplicationException($"Spike:Replicas is {settings.Replicas}; run 1 to 64 API replicas.");
        }

        // The services validate the same options on start; checked here too so a bad value stops the AppHost at once.
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings.DefaultSale, new ValidationContext(settings.DefaultSale), errors, validateAllProperties: true))
        {
            throw new DistributedApplicationException(string.Join(" ", errors.Select(error => error.ErrorMessage)));
        }

        return settings;
    }
}
