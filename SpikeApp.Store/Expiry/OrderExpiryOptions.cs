using Microsoft.Extensions.Options;

namespace SpikeApp.Store.Expiry;

/// <summary>Bound from the host's own section: <c>Orders:ExpiryInterval</c> in the processor, <c>Spike:ExpiryInterval</c> in a replica.</summary>
public sealed class OrderExpiryOptions
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxInterval = TimeSpan.FromMinutes(1);

    /// <summary>How often deadlines are checked: an unpaid order expires at most this long after its deadline.</summary>
    public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}

internal sealed class OrderExpiryOptionsValidator(string section) : IValidateOptions<OrderExpiryOptions>
{
    public ValidateOptionsResult Validate(string? name, OrderExpiryOptions options) =>
        options.ExpiryInterval >= OrderExpiryOptions.MinInterval && options.ExpiryInterval <= OrderExpiryOptions.MaxInterval
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{section}:{nameof(OrderExpiryOptions.ExpiryInterval)} must be from 00:00:00.050 to 00:01:00.");
}
