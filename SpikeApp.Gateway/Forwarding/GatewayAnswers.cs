using System.Text;
using SpikeApp.Contracts.Buy;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>
/// In the API's contract: problems, with <c>Retry-After</c> when a retry may succeed; on the seed routes such a refusal is
/// 200 with the seed's "busy" body.
/// </summary>
internal static class GatewayAnswers
{
    private const string ProblemContentType = "application/problem+json";

    private static readonly byte[] Unavailable = Encoding.UTF8.GetBytes(
        $$"""{"type":"{{ProblemTypes.Unavailable}}","title":"Service Unavailable","status":503,"detail":"No replica could take the request. Retry after the time in Retry-After."}""");

    private static readonly byte[] Overloaded = Encoding.UTF8.GetBytes(
        $$"""{"type":"{{ProblemTypes.Overloaded}}","title":"Too Many Requests","status":429,"detail":"The gateway holds as many requests as it may. Retry after the time in Retry-After."}""");

    private static readonly byte[] NotFound = Encoding.UTF8.GetBytes(
        $$"""{"type":"{{ProblemTypes.NotFound}}","title":"Not Found","status":404,"detail":"No public route has this method and path."}""");

    private static readonly byte[] BodyTooLarge = Encoding.UTF8.GetBytes(
        $$"""{"type":"{{ProblemTypes.BodyTooLarge}}","title":"Content Too Large","status":413,"detail":"The request body is larger than the gateway forwards. Sent again as it is, it is refused again."}""");

    private static readonly byte[] SeedBusy = Encoding.UTF8.GetBytes(SeedMessages.BusyBody);

    public static Task WriteUnavailableAsync(HttpContext context, string retryAfter) =>
        WriteRefusalAsync(context, StatusCodes.Status503ServiceUnavailable, Unavailable, retryAfter);

    public static Task WriteOverloadedAsync(HttpContext context, string retryAfter) =>
        WriteRefusalAsync(context, StatusCodes.Status429TooManyRequests, Overloaded, retryAfter);

    public static Task WriteNotFoundAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, ProblemContentType, NotFound, retryAfter: null);

    public static Task WriteBodyTooLargeAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ProblemContentType, BodyTooLarge, retryAfter: null);

    private static Task WriteRefusalAsync(HttpContext context, int status, byte[] problem, string retryAfter) =>
        context.Request.Path.StartsWithSegments("/buy", StringComparison.OrdinalIgnoreCase)
            ? WriteAsync(context, StatusCodes.Status200OK, SeedMessages.ContentType, SeedBusy, retryAfter)
            : WriteAsync(context, status, ProblemContentType, problem, retryAfter);

    private static Task WriteAsync(HttpContext context, int status, string contentType, byte[] body, string? retryAfter)
    {
        var response = context.Response;
        response.Headers.Clear();
        if (retryAfter is not null)
        {
            response.Headers.RetryAfter = retryAfter;
        }

        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
