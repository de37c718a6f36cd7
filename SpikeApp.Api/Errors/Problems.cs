using Microsoft.AspNetCore.Http.HttpResults;
using SpikeApp.Api.Stock;
using SpikeApp.Contracts.Problems;

namespace SpikeApp.Api.Errors;

/// <summary>Every problem answer of the API, in one place so status, type and wording stay consistent.</summary>
internal static class Problems
{
    public static ProblemHttpResult SoldOut(string saleId) => TypedResults.Problem(
        $"Sale '{saleId}' is sold out.", statusCode: StatusCodes.Status409Conflict, title: "Sold out", type: ProblemTypes.SoldOut);

    /// <summary>The refusal a purchase's result stands for, with its <c>Retry-After</c>; null for a result that is no refusal.</summary>
    public static ProblemHttpResult? Refusal(HttpContext context, string saleId, PurchaseResult result)
    {
        switch (result.Status)
        {
            case PurchaseStatus.SoldOut:
                return SoldOut(saleId);
            case PurchaseStatus.NotOpen:
                context.Response.Headers.RetryAfter = RetryAfter.Seconds(result.UntilOpening);
                return TypedResults.Problem(
                    $"Sale '{saleId}' opens at {result.Schedule.OpensAt:O}; nothing was sold. Retry at the opening.",
                    statusCode: StatusCodes.Status409Conflict, title: "Sale not open", type: ProblemTypes.SaleNotOpen,
                    extensions: new Dictionary<string, object?> { ["opensAt"] = result.Schedule.OpensAt });
            case PurchaseStatus.Closed:
                return TypedResults.Problem(
                    $"Sale '{saleId}' closed at {result.Schedule.ClosesAt:O}: no new purchases. A pending order may still be paid.",
                    statusCode: StatusCodes.Status409Conflict, title: "Sale closed", type: ProblemTypes.SaleClosed,
                    extensions: new Dictionary<string, object?> { ["closesAt"] = result.Schedule.ClosesAt });
            default:
                return null;
        }
    }

    public static ProblemHttpResult NoSale(string saleId) => TypedResults.Problem(
        $"There is no sale '{saleId}'.", statusCode: StatusCodes.Status404NotFound, title: "No such sale", type: ProblemTypes.NoSale);

    public static ProblemHttpResult NoOrder(string saleId, string orderId) => TypedResults.Problem(
        $"Sale '{saleId}' has no order '{orderId}'.", statusCode: StatusCodes.Status404NotFound, title: "No such order", type: ProblemTypes.NoOrder);

    public static ProblemHttpResult NoOrderForBuyer(string saleId) => TypedResults.Problem(
        $"You hold no order in sale '{saleId}'.", statusCode: StatusCodes.Status404NotFound, title: "No such order", type: ProblemTypes.NoOrder);

    public static ProblemHttpResult OrderExpired(string orderId) => TypedResults.Problem(
        $"Order '{orderId}' was not paid within the payment window: it expired and its unit went back on sale.",
        statusCode: StatusCodes.Status409Conflict, title: "Order expired", type: ProblemTypes.OrderExpired);

    public static ProblemHttpResult OrderVoided(string orderId) => TypedResults.Problem(
        $"Order '{orderId}' was pending when its sale was reset: it ended with that round and holds no unit.",
        statusCode: StatusCodes.Status409Conflict, title: "Order voided", type: ProblemTypes.OrderVoided);

    public static ProblemHttpResult SaleRestoring(string saleId) => TypedResults.Problem(
        $"Sale '{saleId}' is being restored from the ledger after Redis lost data; nothing was sold. Retry with the same user id.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sale restoring", type: ProblemTypes.SaleRestoring);

    public static ProblemHttpResult RefillPending(string saleId) => TypedResults.Problem(
        $"Sale '{saleId}' still has stock, but this replica's share of it is being refilled; nothing was sold. Retry with the same user id.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Refill pending", type: ProblemTypes.RefillPending);

    public static ProblemHttpResult PreconditionRequired(string saleId) => TypedResults.Problem(
        $"Sale '{saleId}' exists: resetting it needs If-Match with the ETag (epoch) of the sale being reset.",
        statusCode: StatusCodes.Status428PreconditionRequired, title: "Precondition required", type: ProblemTypes.PreconditionRequired);

    public static ProblemHttpResult PreconditionFailed(string saleId, long? currentEpoch) => TypedResults.Problem(
        currentEpoch is { } epoch
            ? $"Sale '{saleId}' is at epoch {epoch}, not the one in If-Match: it changed since it was read. Nothing was reset."
            : $"There is no sale '{saleId}' to reset (create it without If-Match).",
        statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed", type: ProblemTypes.PreconditionFailed);

    public static ProblemHttpResult Overloaded() => TypedResults.Problem(
        "This replica is at its admission limit; nothing was sold. Retry later.",
        statusCode: StatusCodes.Status429TooManyRequests, title: "Overloaded", type: ProblemTypes.Overloaded);

    public static ProblemHttpResult Unavailable() => TypedResults.Problem(
        "The stock store did not answer. Retry with the same user id: a purchase that did go through is returned, never sold twice.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", type: ProblemTypes.Unavailable);

    public static ProblemHttpResult AdminDisabled() => TypedResults.Problem(
        "Admin endpoints are disabled: Spike:AdminKey is not configured.",
        statusCode: StatusCodes.Status403Forbidden, title: "Admin disabled", type: ProblemTypes.AdminDisabled);

    public static ProblemHttpResult AdminKeyRequired(string headerName) => TypedResults.Problem(
        $"A valid {headerName} header is required.",
        statusCode: StatusCodes.Status401Unauthorized, title: "Admin key required", type: ProblemTypes.AdminKeyRequired);

    public static ProblemHttpResult Unauthenticated() => TypedResults.Problem(
        "A valid bearer token naming the buyer is required (Authorization: Bearer ...).",
        statusCode: StatusCodes.Status401Unauthorized, title: "Unauthenticated", type: ProblemTypes.Unauthenticated);

    public static ProblemHttpResult IdentityUnavailable() => TypedResults.Problem(
        "The identity provider's keys could not be read, so the bearer token could not be checked; nothing was sold. Retry later.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", type: ProblemTypes.Unavailable);

    public static ProblemHttpResult NoBuyerIdentity() => TypedResults.Problem(
        "The bearer token names no buyer: it has no 'sub' claim.",
        statusCode: StatusCodes.Status403Forbidden, title: "No buyer identity", type: ProblemTypes.NoBuyerIdentity);

    public static ProblemHttpResult RateLimited() => TypedResults.Problem(
        "This buyer sent more requests than the per-buyer limit allows; nothing was sold. Retry later.",
        statusCode: StatusCodes.Status429TooManyRequests, title: "Rate limited", type: ProblemTypes.RateLimited);

    public static ValidationProblem NotTheBuyer(string claimed) =>
        ValidationProblems.Invalid(new Dictionary<string, string[]>
        {
            ["userId"] = [$"userId '{claimed}' is not the buyer the bearer token names; leave it out (the token names the buyer)."],
        });

    public static ValidationProblem InvalidIfMatch() =>
        ValidationProblems.Invalid(new Dictionary<string, string[]> { ["If-Match"] = ["If-Match must be one strong entity tag: the sale's ETag, e.g. \"1733356800000000\"."] });

    public static ValidationProblem InvalidSchedule() =>
        ValidationProblems.Invalid(new Dictionary<string, string[]> { ["closesAt"] = ["closesAt must be after opensAt (or, without opensAt, in the future)."] });

    public static ValidationProblem InvalidTotal() =>
        ValidationProblems.Invalid(new Dictionary<string, string[]> { ["total"] = ["total must be a whole number from 1 to 2147483647."] });
}
