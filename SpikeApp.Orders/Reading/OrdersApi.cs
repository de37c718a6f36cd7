using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using SpikeApp.Orders.Persistence;
using SpikeApp.Store;

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
        string saleId, OrderRepository repository, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(saleId))
        {
            return OrderProblems.InvalidIds(("saleId", saleId));
        }

        var counts = await repository.CountByStatusAsync(saleId, cancellationToken);
        return TypedResults.Ok(new OrdersSummary(saleId, counts.Pending, counts.Paid, counts.Expired, counts.Total));
    }

    public static async Task<Results<Ok<OrderDetails>, ValidationProblem, ProblemHttpResult>> GetOrderAsync(
        string saleId, string orderId, OrderRepository repository, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(saleId) || !Ids.IsValid(orderId))
        {
            return OrderProblems.InvalidIds(("saleId", saleId), ("orderId", orderId));
        }

        return await repository.FindAsync(saleId, orderId, cancellationToken) is { } order
            ? TypedResults.Ok(ToDetails(order))
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
            context.HttpContext.Response.Headers.RetryAfter = OrderProblems.RetryAfterSeconds;
            return OrderProblems.Unavailable();
        }
    }

    private static OrderDetails ToDetails(StoredOrder order) => new(
        order.OrderId, order.SaleId, order.UserId, order.ReplicaId, order.Status.ToString().ToLowerInvariant(),
        order.CreatedAt, order.ExpiresAt, order.PaidAt, order.PaymentReference);
}
