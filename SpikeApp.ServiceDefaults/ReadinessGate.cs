using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A condition <c>/health</c> waits for without being a failing health check. A process still warming up is not
/// unhealthy, yet the health-check service logs every unhealthy result as an error: every start would show errors in the
/// dashboard. While a gate is closed, <c>/health</c> answers 503 without running the checks.
/// </summary>
public interface IReadinessGate
{
    /// <summary>Null once open; else why this process is not ready yet.</summary>
    string? Waiting { get; }
}

/// <summary>Marks the readiness endpoint, which waits for every <see cref="IReadinessGate"/>.</summary>
public sealed class ReadinessEndpointMetadata
{
    public static readonly ReadinessEndpointMetadata Instance = new();

    /// <summary>A gate that also reports as a health check carries this tag: <c>/health</c> waits on the gate instead of running it.</summary>
    public const string GateTag = "gate";

    private ReadinessEndpointMetadata()
    {
    }

    internal static Task AnswerWaitingAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain";
        context.Response.Headers.CacheControl = "no-store, no-cache";
        return context.Response.WriteAsync("Unhealthy");
    }
}
