using Microsoft.AspNetCore.Http.HttpResults;
using SpikeApp.Api.Admin;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Stock;

namespace SpikeApp.Api.Sales;

public static class SalesApi
{
    /// <summary>Maps the purchase, sale and order endpoints under <c>/api/sales</c>.</summary>
    public static RouteGroupBuilder MapSalesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sales").WithTags("Sales");

        api.MapPost("/{saleId}/purchases", PurchaseAsync).RequireRateLimiting(AdmissionExtensions.PurchasePolicy);
        api.MapGet("/{saleId}", GetSaleAsync);
        api.MapGet("/{saleId}/orders/{orderId}", GetOrderAsync);
        api.MapGet("/{saleId}/buyers/{userId}/order", GetOrderOfBuyerAsync);
        api.MapPut("/{saleId}", PutSaleAsync).RequireAdminKey();

        return api;
    }

    public static async Task<Results<Created<OrderResponse>, Ok<OrderResponse>, ValidationProblem, ProblemHttpResult>> PurchaseAsync(
        string saleId, PurchaseRequest? request, PurchaseService purchases, HttpContext context)
    {
        var userId = request?.UserId;
        if (!Ids.IsValid(saleId) || !Ids.IsValid(userId))
        {
            return InvalidIds(("saleId", saleId), ("userId", userId));
        }

        var result = await purchases.PurchaseAsync(saleId, userId);
        return result.Status switch
        {
            PurchaseStatus.Created => TypedResults.Created(
                $"/api/sales/{saleId}/orders/{result.OrderId}", new OrderResponse(result.OrderId!, saleId, userId!)),
            PurchaseStatus.Existing => TypedResults.Ok(new OrderResponse(result.OrderId!, saleId, userId!)),
            PurchaseStatus.SoldOut => Problems.SoldOut(saleId),
            PurchaseStatus.NoSale => Problems.NoSale(saleId),
            _ => Problems.Unavailable(context),
        };
    }

    public static async Task<Results<Ok<SaleResponse>, ValidationProblem, ProblemHttpResult>> GetSaleAsync(
        string saleId, RedisSaleStore store, SaleRegistry registry, ReplicaIdentity replica, HttpContext context)
    {
        if (!Ids.IsValid(saleId))
        {
            return InvalidIds(("saleId", saleId));
        }

        try
        {
            // One read serves both the answer and this replica's view (a newer epoch gives it a fresh slice).
            if (await store.GetAsync(saleId) is not SaleState sale)
            {
                return Problems.NoSale(saleId);
            }

            var local = registry.Adopt(saleId, sale);
            var soldByReplica = await store.GetSoldByReplicaAsync(saleId);
            return TypedResults.Ok(new SaleResponse(
                saleId, sale.Total, sale.Sold, Math.Max(0, sale.Total - sale.Sold), sale.SoldOut, sale.Epoch, soldByReplica,
                new ReplicaSliceResponse(replica.Id, local.Stock.Capacity, local.Stock.Remaining, local.SoldHere, local.IsSoldOut)));
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return Problems.Unavailable(context);
        }
    }

    public static async Task<Results<Ok<OrderDetails>, ValidationProblem, ProblemHttpResult>> GetOrderAsync(
        string saleId, string orderId, RedisSaleStore store, HttpContext context)
    {
        if (!Ids.IsValid(saleId) || !Ids.IsValid(orderId))
        {
            return InvalidIds(("saleId", saleId), ("orderId", orderId));
        }

        try
        {
            var order = await store.GetOrderAsync(saleId, orderId);
            return order is null
                ? Problems.NoOrder(saleId, orderId)
                : TypedResults.Ok(ToDetails(order));
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return Problems.Unavailable(context);
        }
    }

    /// <summary>
    /// The order a buyer holds. A buyer whose purchase timed out (503) and whose retry met a sold-out replica (409,
    /// answered without Redis) asks here whether the first attempt bought.
    /// </summary>
    public static async Task<Results<Ok<OrderDetails>, ValidationProblem, ProblemHttpResult>> GetOrderOfBuyerAsync(
        string saleId, string userId, RedisSaleStore store, HttpContext context)
    {
        if (!Ids.IsValid(saleId) || !Ids.IsValid(userId))
        {
            return InvalidIds(("saleId", saleId), ("userId", userId));
        }

        try
        {
            var order = await store.GetOrderOfBuyerAsync(saleId, userId);
            return order is null
                ? Problems.NoOrderForBuyer(saleId, userId)
                : TypedResults.Ok(ToDetails(order));
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return Problems.Unavailable(context);
        }
    }

    /// <summary>Creates the sale, or resets it: every order is forgotten and a new epoch starts on every replica.</summary>
    public static async Task<Results<Ok<SaleState>, ValidationProblem, ProblemHttpResult>> PutSaleAsync(
        string saleId, SaleDefinition? definition, RedisSaleStore store, SaleRegistry registry, HttpContext context)
    {
        if (!Ids.IsValid(saleId))
        {
            return InvalidIds(("saleId", saleId));
        }

        if (definition?.Total is not (> 0 and var total))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["total"] = ["total must be a whole number from 1 to 2147483647."] },
                type: ProblemTypes.InvalidInput);
        }

        try
        {
            var state = await store.ResetAsync(saleId, total);
            registry.Adopt(saleId, state);
            return TypedResults.Ok(state);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return Problems.Unavailable(context);
        }
    }

    private static OrderDetails ToDetails(StoredOrder order) =>
        new(order.OrderId, order.SaleId, order.UserId, order.ReplicaId, order.CreatedAt);

    private static ValidationProblem InvalidIds(params ReadOnlySpan<(string Name, string? Value)> ids)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in ids)
        {
            if (!Ids.IsValid(value))
            {
                errors[name] = [$"{name} must be 1-{Ids.MaxLength} characters of A-Z, a-z, 0-9, '_' or '-'."];
            }
        }

        return TypedResults.ValidationProblem(errors, type: ProblemTypes.InvalidInput);
    }
}
