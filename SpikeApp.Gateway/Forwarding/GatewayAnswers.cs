using System.Text;
using SpikeApp.Contracts.Buy;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>In the API's contract: problems with <c>Retry-After</c>, but 200 with the seed's "busy" body on the seed routes.</summary>
internal static class GatewayAnswers
{
    private const string ProblemContentType = "application/problem+json";

    private static readonly byte[] Unavailable = Encoding.UTF8.GetBytes(
        $$"""{"type":"{{ProblemTypes.Unavailable}}","title":"Service Unavailable","status":503,"detail":"No replica could take the request. Retry after the time in Retry-After."}""");

    private static readonly byte[] Overloaded = Encoding.UTF8.GetBytes(
        $$"""{"type":"{{ProblemTypes.Overloaded}}","title":"Too Many Requests","status":429,"detail":"The gateway holds as many requests as it may. Retry after the time in Retry-After."}""");

    private static readonly byte[] SeedBusy = Encoding.UTF8.GetBytes(SeedMessages.BusyBody);

    public static Task WriteUnavailableAsync(HttpContext context, string retryAfter) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable, Unavailable, retryAfter);

    public static Task WriteOverloadedAsync(HttpContext context, string retryAfter) =>
        WriteAsync(context, StatusCodes.Status429TooManyRequests, Overloaded, retryAfter);

    private static Task WriteAsync(HttpContext context, int status, byte[] problem, string retryAfter)
    {
        var response = context.Response;
        response.Headers.Clear();
        response.Headers.RetryAfter = retryAfter;
        var seed = context.Request.Path.StartsWithSegments("/buy", StringComparison.OrdinalIgnoreCase);
        var body = seed ? SeedBusy : problem;
        response.StatusCode = seed ? StatusCodes.Status200OK : status;
        response.ContentType = seed ? SeedMessages.ContentType : ProblemContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
