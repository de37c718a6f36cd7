using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using SpikeApp.Contracts;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Problems;
using SpikeApp.Orders.Persistence;

namespace SpikeApp.Orders.Reading;

public static class OrdersApi
{
    /// <summary>Maps the read side of the stored orders under <c>/api/orders</c>: a sale's counts by status, and one order.</summary>
    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        // Every route reads PostgreSQL: one policy turns "PostgreSQL did not answer" into 503 + Retry-After.
        var api = app.MapGroup("/api/orders").WithTags("Orders").AddEndpointFilter(PostgresUnavailableAsync);

        // The literal segment wins over {orderId}; order ids are hex, so none is called "summary".
        api.MapGet("/{saleId}/summary", GetSummaryAsync);
        api.MapGet("/{saleId}/{orderId}", GetOrderAsync);

        return api;
    }

    public static async Task<Results<Ok<OrdersSummary>, ValidationProblem>> GetSummaryAsync(
        string saleId, OrderLedger ledger, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(saleId))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId));
        }

        return TypedResults.Ok(await ledger.SummarizeAsync(saleId, cancellationToken));
    }

    public static async Task<Results<Ok<Order>, ValidationProblem, ProblemHttpResult>> GetOrderAsync(
        string saleId, string orderId, OrderLedger ledger, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(saleId) || !Ids.IsValid(orderId))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId), ("orderId", orderId));
        }

        return await ledger.FindAsync(saleId, orderId, cancellationToken) is { } order
            ? TypedResults.Ok(order)
            : OrderProblems.NoOrder(saleId, orderId);
    }

    private static async ValueTask<object?> PostgresUnavailableAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (NpgsqlException)
        {
            context.HttpContext.Response.Headers.RetryAfter = RetryAfter.DefaultValue;
            return OrderProblems.Unavailable();
        }
    }
}
