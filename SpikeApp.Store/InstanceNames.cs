using SpikeApp.Contracts;

namespace SpikeApp.Store;

/// <summary>How a service instance names itself in orders, spans, metrics and stream consumers.</summary>
public static class InstanceNames
{
    /// <summary>
    /// <paramref name="configured"/>, else the <c>service.instance.id</c> Aspire gives each instance (as the dashboard
    /// names it, from <c>OTEL_RESOURCE_ATTRIBUTES</c>), else host and process id; reduced to the id alphabet.
    /// </summary>
    public static string Resolve(string? configured, string? resourceAttributes)
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
