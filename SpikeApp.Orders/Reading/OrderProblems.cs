using Microsoft.AspNetCore.Http.HttpResults;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Orders.Reading;

/// <summary>The problem answers of the orders read API, worded for what PostgreSQL holds.</summary>
internal static class OrderProblems
{
    public static ProblemHttpResult NoOrder(string saleId, string orderId) => TypedResults.Problem(
        $"No order '{orderId}' of sale '{saleId}' is stored.", statusCode: StatusCodes.Status404NotFound, title: "No such order",
        type: ProblemTypes.NoOrder);

    public static ProblemHttpResult Unavailable() => TypedResults.Problem(
        "PostgreSQL did not answer, or the orders schema is not migrated yet. Retry later.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", type: ProblemTypes.Unavailable);
}
