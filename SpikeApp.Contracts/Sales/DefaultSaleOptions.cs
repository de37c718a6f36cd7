using System.ComponentModel.DataAnnotations;

namespace SpikeApp.Contracts.Sales;

/// <summary>The sale that exists without an operator, so <c>/buy/skill</c> works at once; AppHost and services share it.</summary>
public sealed class DefaultSaleOptions
{
    public const string SectionName = "Spike:DefaultSale";

    [Required]
    [RegularExpression(Ids.Pattern, ErrorMessage = "Spike:DefaultSale:Id must be 1-64 characters of [A-Za-z0-9_-].")]
    public string Id { get; set; } = "default";

    [Range(1, int.MaxValue, ErrorMessage = "Spike:DefaultSale:Total must be from 1 to 2147483647.")]
    public int Total { get; set; } = 2000;
}
