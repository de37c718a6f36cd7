using Microsoft.Extensions.Options;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>The name this replica signs its orders with.</summary>
public sealed class ReplicaIdentity(IOptions<SpikeOptions> options, IConfiguration configuration)
{
    public string Id { get; } = Resolve(options.Value.ReplicaId, configuration["OTEL_RESOURCE_ATTRIBUTES"]);

    /// <summary>
    /// Configured id, else the <c>service.instance.id</c> Aspire gives each replica (as the dashboard names it),
    /// else host and process id. Whatever the source, it is reduced to the id alphabet.
    /// </summary>
    internal static string Resolve(string? configured, string? resourceAttributes)
    {
        var candidate = configured;
        if (string.IsNullOrWhiteSpace(candidate) && resourceAttributes is not null)
        {
            foreach (var pair in resourceAttributes.Split(','))
            {
                var separator = pair.IndexOf('=', StringComparison.Ordinal);
                if (separator > 0 && pair[..separator].Trim() == "service.instance.id")
                {
                    candidate = pair[(separator + 1)..].Trim();
                }
            }
        }

        if (string.IsNullOrWhiteSpace(candidate))
        {
            candidate = $"{Environment.MachineName}-{Environment.ProcessId}";
        }

        var safe = new string([.. candidate.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return safe.Length > Ids.MaxLength ? safe[..Ids.MaxLength] : safe;
    }
}
