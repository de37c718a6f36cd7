using SpikeApp.Contracts;

namespace SpikeApp.Store;

public static class InstanceNames
{
    /// <summary>Else Aspire's <c>service.instance.id</c>, so the name is the dashboard's; else host and process id.</summary>
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
