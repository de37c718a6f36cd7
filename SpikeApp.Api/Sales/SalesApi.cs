using Microsoft.AspNetCore.Http.HttpResults;
using SpikeApp.Api.Admin;
using SpikeApp.Api.Admission;
using SpikeApp.Api.Breaker;
using SpikeApp.Api.Buyers;
using SpikeApp.Api.Errors;
using SpikeApp.Api.Stock;
using SpikeApp.Api.Tracing;
using SpikeApp.Contracts;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Problems;
using SpikeApp.Contracts.Sales;
using SpikeApp.Store;

namespace SpikeApp.Api.Sales;

public static class SalesApi
{
    /// <summary>Maps the purchase, sale and order endpoints under <c>/api/sales</c>.</summary>
    public static RouteGroupBuilder MapSalesApi(this IEndpointRouteBuilder app)
    {
        // Every route reads Redis (through the breaker): one policy turns "Redis did not answer" into 503 + Retry-After.
        var api = app.MapGroup("/api/sales").WithTags("Sales").WithStoreUnavailableProblem();

        // The sale's state is public; a purchase, an order and its payment belong to the buyer the bearer token names.
        api.MapPost("/{saleId}/purchases", PurchaseAsync).AnswerFromMemoryFirst().RequireBuyer().RequirePurchaseAdmission();
        api.MapGet("/{saleId}", GetSaleAsync);
        api.MapGet("/{saleId}/orders/{orderId}", GetOrderAsync).RequireBuyer().RequireOrderAdmission();
        api.MapPost("/{saleId}/orders/{orderId}/payment", PayAsync).RequireBuyer().RequireOrderAdmission();
        api.MapGet("/{saleId}/buyers/me/order", GetMyOrderAsync).RequireBuyer().RequireOrderAdmission();
        api.MapPut("/{saleId}", PutSaleAsync).RequireAdminKey();

        return api;
    }

    public static async Task<Results<Created<PurchaseResponse>, Ok<PurchaseResponse>, ValidationProblem, ProblemHttpResult>> PurchaseAsync(
        string saleId, PurchaseRequest? request, PurchaseService purchases, HttpContext context)
    {
        if (!Ids.IsValid(saleId))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId));
        }

        // The body may repeat the buyer (older clients send it) but never name another.
        var userId = context.User.BuyerId();
        if (request?.UserId is { } claimed && !string.Equals(claimed, userId, StringComparison.Ordinal))
        {
            return Problems.NotTheBuyer(claimed);
        }

        var result = await purchases.PurchaseAsync(saleId, userId);
        if (result.Untraced)
        {
            TraceResponse.AnnounceDropped(context);
        }

        return result.Status switch
        {
            PurchaseStatus.Created => TypedResults.Created(
                $"/api/sales/{saleId}/orders/{result.OrderId}", new PurchaseResponse(result.OrderId!, saleId, userId)),
            PurchaseStatus.Existing => TypedResults.Ok(new PurchaseResponse(result.OrderId!, saleId, userId)),
            PurchaseStatus.SoldOut or PurchaseStatus.NotOpen or PurchaseStatus.Closed => Problems.Refusal(context, saleId, result)!,
            PurchaseStatus.NoSale => Problems.NoSale(saleId),
            PurchaseStatus.Restoring => Problems.SaleRestoring(saleId),
            PurchaseStatus.SliceDry => Problems.RefillPending(saleId),
            _ => Problems.Unavailable(),
        };
    }

    /// <summary>The sale as Redis holds it, with this replica's view; its <c>ETag</c> is the epoch an operator's reset must name.</summary>
    public static async Task<Results<Ok<SaleResponse>, ValidationProblem, ProblemHttpResult>> GetSaleAsync(
        string saleId, SaleRegistry registry, RedisSaleStore store, RedisBreaker breaker, ReplicaIdentity replica, RedisClock clock, HttpContext context)
    {
        if (!Ids.IsValid(saleId))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId));
        }

        // One read serves both the answer and this replica's view (a newer epoch gives it a fresh slice).
        var sale = await breaker.CallAsync(() => registry.RefreshAsync(saleId));
        if (sale is null)
        {
            return Problems.NoSale(saleId);
        }

        if (sale.Local.IsRestoring)
        {
            return Problems.SaleRestoring(saleId);
        }

        context.Response.Headers.ETag = SaleETag.Of(sale.State.Epoch);
        var soldByReplica = await breaker.CallAsync(() => store.GetSoldByReplicaAsync(saleId));
        return TypedResults.Ok(ToResponse(saleId, sale, replica, clock, soldByReplica));
    }

    /// <summary>The buyer's own order; anybody else's answers exactly as a missing one, so order ids reveal nothing.</summary>
    public static async Task<Results<Ok<Order>, ValidationProblem, ProblemHttpResult>> GetOrderAsync(
        string saleId, string orderId, RedisSaleStore store, RedisBreaker breaker, HttpContext context)
    {
        if (!Ids.IsValid(saleId) || !Ids.IsValid(orderId))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId), ("orderId", orderId));
        }

        var order = await breaker.CallAsync(() => store.GetOrderAsync(saleId, orderId));
        return order is not null && string.Equals(order.UserId, context.User.BuyerId(), StringComparison.Ordinal)
            ? TypedResults.Ok(order)
            : Problems.NoOrder(saleId, orderId);
    }

    /// <summary>For a buyer whose purchase timed out and whose retry met a known "sold out": did the first attempt buy?</summary>
    public static async Task<Results<Ok<Order>, ValidationProblem, ProblemHttpResult>> GetMyOrderAsync(
        string saleId, RedisSaleStore store, RedisBreaker breaker, HttpContext context)
    {
        if (!Ids.IsValid(saleId))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId));
        }

        var userId = context.User.BuyerId();
        var order = await breaker.CallAsync(() => store.GetOrderOfBuyerAsync(saleId, userId));
        return order is null ? Problems.NoOrderForBuyer(saleId) : TypedResults.Ok(order);
    }

    /// <summary>A simulated payment (no provider is called), the owner's act only; Redis decides whether it or the deadline came first.</summary>
    public static async Task<Results<Ok<Order>, ValidationProblem, ProblemHttpResult>> PayAsync(
        string saleId, string orderId, PaymentRequest? payment, RedisSaleStore store, RedisBreaker breaker, HttpContext context)
    {
        var reference = payment?.PaymentReference;
        if (!Ids.IsValid(saleId) || !Ids.IsValid(orderId) || !Ids.IsValid(reference))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId), ("orderId", orderId), ("paymentReference", reference));
        }

        var userId = context.User.BuyerId();
        if (payment?.UserId is { } claimed && !string.Equals(claimed, userId, StringComparison.Ordinal))
        {
            return Problems.NotTheBuyer(claimed);
        }

        var paid = await breaker.CallAsync(() => store.PayAsync(saleId, orderId, userId, reference!));
        return paid.Status switch
        {
            PaymentStatus.Paid => TypedResults.Ok(paid.Order!),
            PaymentStatus.Expired => Problems.OrderExpired(orderId),
            PaymentStatus.Voided => Problems.OrderVoided(orderId),
            PaymentStatus.SaleClosed => Problems.SaleRestoring(saleId),
            // Someone else's order answers as a missing one.
            _ => Problems.NoOrder(saleId, orderId),
        };
    }

    /// <summary>Creates (no If-Match; 428 if it exists) or resets the epoch If-Match names, so a retry cannot wipe newer orders (412).</summary>
    public static async Task<Results<Ok<SaleResponse>, ValidationProblem, ProblemHttpResult>> PutSaleAsync(
        string saleId, SaleDefinition? definition, SaleRegistry registry, RedisBreaker breaker, ReplicaIdentity replica, RedisClock clock, HttpContext context)
    {
        if (!Ids.IsValid(saleId))
        {
            return ValidationProblems.InvalidIds(("saleId", saleId));
        }

        if (definition?.Total is not (> 0 and var total))
        {
            return Problems.InvalidTotal();
        }

        if (definition.ClosesAt is { } closesAt && closesAt <= (definition.OpensAt ?? clock.Now))
        {
            return Problems.InvalidSchedule();
        }

        if (!SaleETag.TryParseIfMatch(context.Request.Headers.IfMatch, out var expectedEpoch))
        {
            return Problems.InvalidIfMatch();
        }

        var (beginning, sale) = await breaker.CallAsync(() => registry.BeginAsync(saleId, total, expectedEpoch, definition.OpensAt, definition.ClosesAt));
        switch (beginning.Outcome)
        {
            case BeginOutcome.AlreadyExists:
                return Problems.PreconditionRequired(saleId);
            case BeginOutcome.EpochMismatch:
                return Problems.PreconditionFailed(saleId, beginning.CurrentEpoch);
        }

        context.Response.Headers.ETag = SaleETag.Of(sale!.State.Epoch);
        // A new round has sold nothing yet, on any replica.
        return TypedResults.Ok(ToResponse(saleId, sale, replica, clock, soldByReplica: new Dictionary<string, long>()));
    }

    private static SaleResponse ToResponse(string saleId, SaleView sale, ReplicaIdentity replica, RedisClock clock, IReadOnlyDictionary<string, long> soldByReplica)
    {
        var (state, local) = sale;
        var now = clock.NowMs;
        var schedule = state.Schedule;
        var saleState = schedule.IsBeforeOpening(now) ? SaleStates.Scheduled
            : schedule.IsClosed(now) ? SaleStates.Closed
            : state.SoldOut ? SaleStates.SoldOut
            : SaleStates.Open;
        return new SaleResponse(
            saleId, state.Total, state.Sold, state.Remaining, state.SoldOut, state.Epoch, soldByReplica,
            new ReplicaSliceResponse(replica.Id, local.Stock.Granted, local.Stock.Remaining, local.SoldHere, local.IsSoldOut, local.InDoubt),
            saleState, schedule.OpensAt, schedule.ClosesAt, DateTimeOffset.FromUnixTimeMilliseconds(now));
    }
}
