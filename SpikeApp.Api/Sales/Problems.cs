using Microsoft.AspNetCore.Http.HttpResults;

namespace SpikeApp.Api.Sales;

/// <summary>The problem answers of the sale API, one place so status, type and wording stay consistent.</summary>
internal static class Problems
{
    /// <summary>How long a client should wait before retrying when Redis is unavailable.</summary>
    public const string RetryAfterSeconds = "1";

    public static ProblemHttpResult SoldOut(string saleId) => TypedResults.Problem(
        $"Sale '{saleId}' is sold out.", statusCode: StatusCodes.Status409Conflict, title: "Sold out", type: ProblemTypes.SoldOut);

    public static ProblemHttpResult NoSale(string saleId) => TypedResults.Problem(
        $"There is no sale '{saleId}'.", statusCode: StatusCodes.Status404NotFound, title: "No such sale", type: ProblemTypes.NoSale);

    public static ProblemHttpResult NoOrder(string saleId, string orderId) => TypedResults.Problem(
        $"Sale '{saleId}' has no order '{orderId}'.", statusCode: StatusCodes.Status404NotFound, title: "No such order", type: ProblemTypes.NoOrder);

    public static ProblemHttpResult NoOrderForBuyer(string saleId, string userId) => TypedResults.Problem(
        $"Buyer '{userId}' holds no order in sale '{saleId}'.", statusCode: StatusCodes.Status404NotFound, title: "No such order", type: ProblemTypes.NoOrder);

    public static ProblemHttpResult Overloaded() => TypedResults.Problem(
        "This replica is at its admission limit; nothing was sold. Retry later.",
        statusCode: StatusCodes.Status429TooManyRequests, title: "Overloaded", type: ProblemTypes.Overloaded);

    public static ProblemHttpResult Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Problem(
            "The stock store did not answer. Retry with the same user id: a purchase that did go through is returned, never sold twice.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", type: ProblemTypes.Unavailable);
    }
}
