using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SpikeApp.LoadGen.Invariants;

internal static class ApiReads
{
    /// <param name="authorization">The reader's <c>Authorization</c> header value, or null for a public read.</param>
    /// <returns>The answer's body, or a failure such as "answered 404" or "failed: Connection refused".</returns>
    public static async Task<(T? Value, string? Failure)> ReadAsync<T>(
        this HttpClient http, string path, JsonTypeInfo<T> type, string? authorization, CancellationToken cancellationToken) where T : class
    {
        try
        {
            using var request = Get(path, authorization);
            using var response = await http.SendAsync(request, cancellationToken);
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

    public static Task<(T? Value, string? Failure)> ReadAsync<T>(this HttpClient http, string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class => http.ReadAsync(path, type, authorization: null, cancellationToken);

    /// <summary>A read expected to be refused: its status and problem type, or why there was no answer.</summary>
    public static async Task<(int? StatusCode, string? ProblemType, string? Failure)> ReadRefusalAsync(
        this HttpClient http, string path, string authorization, CancellationToken cancellationToken)
    {
        try
        {
            using var request = Get(path, authorization);
            using var response = await http.SendAsync(request, cancellationToken);
            return ((int)response.StatusCode, await ProblemTypeAsync(response.Content, cancellationToken), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (null, null, $"failed: {ex.Message}");
        }
    }

    private static HttpRequestMessage Get(string path, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    private static async Task<string?> ProblemTypeAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            // No body, or not JSON: an answer without a problem type.
            return null;
        }
    }
}
