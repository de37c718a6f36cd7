using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace SpikeApp.LoadGen.Invariants;

internal static class ApiReads
{
    /// <returns>The answer's body, or a failure such as "answered 404" or "failed: Connection refused".</returns>
    public static async Task<(T? Value, string? Failure)> ReadAsync<T>(
        this HttpClient http, string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (null, $"answered {(int)response.StatusCode}");
            }

            var value = await response.Content.ReadFromJsonAsync(type, cancellationToken);
            return value is null ? (null, "answered null") : (value, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Refused connections, timeouts, an open circuit breaker, a body that is not the contract: the check says so.
            return (null, $"failed: {ex.Message}");
        }
    }
}
