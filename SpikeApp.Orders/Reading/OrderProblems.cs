using Microsoft.AspNetCore.Http.HttpResults;
using SpikeApp.Store;

namespace SpikeApp.Orders.Reading;

/// <summary>Every problem answer of the orders read API; the <c>type</c> values are the ones the sale API answers with.</summary>
internal static class OrderProblems
{
    private const string TypePrefix = "urn:spikeapp:problem:";

    /// <summary>How long a client should wait before retrying a 503.</summary>
    public const string RetryAfterSeconds = "1";

    public static ProblemHttpResult NoOrder(string saleId, string orderId) => TypedResults.Problem(
        $"No order '{orderId}' of sale '{saleId}' is stored.", statusCode: StatusCodes.Status404NotFound, title: "No such order",
        type: TypePrefix + "no-order");

    public static ProblemHttpResult Unavailable() => TypedResults.Problem(
        "PostgreSQL did not answer, or the orders schema is not migrated yet. Retry later.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", type: TypePrefix + "unavailable");

    /// <summary>400 naming each invalid id, worded as the sale API words it.</summary>
    public static ValidationProblem InvalidIds(params ReadOnlySpan<(string Name, string? Value)> ids)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in ids)
        {
            if (!Ids.IsValid(value))
            {
                errors[name] = [$"{name} must be 1-{Ids.MaxLength} characters of A-Z, a-z, 0-9, '_' or '-'."];
            }
        }

        return TypedResults.ValidationProblem(errors, type: TypePrefix + "invalid-input");
    }

    /// <summary>The type for problems the framework writes (unknown routes, unhandled errors), so every error carries one of ours.</summary>
    public static string ForStatus(int status) => TypePrefix + status switch
    {
        StatusCodes.Status400BadRequest => "invalid-input",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        _ => "internal",
    };
}
