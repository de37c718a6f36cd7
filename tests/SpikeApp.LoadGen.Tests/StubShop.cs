using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SpikeApp.LoadGen.Tests;

/// <summary>
/// The sale contract in miniature, on a clock that ticks one second per purchase or payment so that expiry is exact:
/// one live order per buyer, 201 then 200, 409 sold-out while every unit is held; payments (200, 403, 404, 409
/// order-expired); an unpaid order expires <c>paymentWindow</c> ticks after it was made, its unit back on sale and its
/// buyer free to buy again. The order processor's read API answers from the same orders, as if PostgreSQL had caught up.
/// </summary>
public sealed class StubShop(string saleId, int stock, TimeSpan delay = default, int paymentWindow = int.MaxValue)
{
    /// <summary>Tick 0 of the shop's clock: an hour ago, so every deadline the shop reports has passed by the time of the checks.</summary>
    private readonly DateTimeOffset _opening = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds());

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _liveOrderByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private long _tick;
    private int _inFlight;
    private int _maxInFlight;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Order id to status, as the shop now holds them.</summary>
    public IReadOnlyDictionary<string, string> Statuses()
    {
        lock (_lock)
        {
            return _orders.ToDictionary(order => order.Key, order => order.Value.Status, StringComparer.Ordinal);
        }
    }

    /// <summary>User id to the statuses of their orders, oldest first.</summary>
    public IReadOnlyDictionary<string, string[]> StatusesByUser()
    {
        lock (_lock)
        {
            return _orders.Values.GroupBy(order => order.UserId, StringComparer.Ordinal)
                .ToDictionary(user => user.Key, user => user.OrderBy(order => order.CreatedAt).Select(order => order.Status).ToArray(), StringComparer.Ordinal);
        }
    }

    public void Map(WebApplication app)
    {
        app.MapPost("/api/sales/{saleId}/purchases", PurchaseAsync);
        app.MapPost("/api/sales/{saleId}/orders/{orderId}/payment", PayAsync);
        app.MapGet("/api/sales/{saleId}", GetSale);
        app.MapGet("/api/sales/{saleId}/orders/{orderId}", (string orderId) => GetOrder(orderId));
        app.MapGet("/api/orders/{saleId}/summary", GetStoredSummary);
        app.MapGet("/api/orders/{saleId}/{orderId}", (string orderId) => GetOrder(orderId));
    }

    private async Task<IResult> PurchaseAsync(HttpRequest request)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, inFlight);
        try
        {
            await Task.Delay(delay);
            using var body = await JsonDocument.ParseAsync(request.Body);
            var userId = body.RootElement.GetProperty("userId").GetString()!;
            lock (_lock)
            {
                var now = Tick();
                if (_liveOrderByUser.TryGetValue(userId, out var existing))
                {
                    return OrderAnswer(_orders[existing], StatusCodes.Status200OK);
                }

                if (_liveOrderByUser.Count == stock)
                {
                    return Problem(StatusCodes.Status409Conflict, "sold-out");
                }

                var order = new Order($"o-{_orders.Count + 1}", userId, now, now + paymentWindow);
                _orders[order.OrderId] = order;
                _liveOrderByUser[userId] = order.OrderId;
                return OrderAnswer(order, StatusCodes.Status201Created);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<IResult> PayAsync(string orderId, HttpRequest request)
    {
        using var body = await JsonDocument.ParseAsync(request.Body);
        var userId = body.RootElement.GetProperty("userId").GetString();
        var reference = body.RootElement.GetProperty("paymentReference").GetString();
        lock (_lock)
        {
            var now = Tick();
            if (!_orders.TryGetValue(orderId, out var order))
            {
                return Problem(StatusCodes.Status404NotFound, "no-order");
            }

            if (order.UserId != userId)
            {
                return Problem(StatusCodes.Status403Forbidden, "not-your-order");
            }

            if (order.Status == "pending")
            {
                order.Status = "paid";
                order.PaidAt = now;
                order.PaymentReference = reference;
            }

            return order.Status == "paid" ? OrderAnswer(order, StatusCodes.Status200OK) : Problem(StatusCodes.Status409Conflict, "order-expired");
        }
    }

    private IResult GetSale()
    {
        lock (_lock)
        {
            var sold = _liveOrderByUser.Count;
            return Results.Text(JsonSerializer.Serialize(new
            {
                saleId, total = stock, sold, remaining = stock - sold, soldOut = sold == stock, epoch = 1,
                soldByReplica = new Dictionary<string, int> { ["r1"] = sold },
                replica = new { id = "r1", slice = stock, sliceRemaining = stock - sold, soldHere = sold, soldOutKnown = false, inDoubt = 0 },
            }), "application/json");
        }
    }

    private IResult GetOrder(string orderId)
    {
        lock (_lock)
        {
            return _orders.TryGetValue(orderId, out var order) ? OrderAnswer(order, StatusCodes.Status200OK) : Problem(StatusCodes.Status404NotFound, "no-order");
        }
    }

    private IResult GetStoredSummary()
    {
        lock (_lock)
        {
            var count = (string status) => _orders.Values.Count(order => order.Status == status);
            return Results.Text(
                $$"""{"saleId":"{{saleId}}","pending":{{count("pending")}},"paid":{{count("paid")}},"expired":{{count("expired")}},"voided":0,"total":{{_orders.Count}}}""",
                "application/json");
        }
    }

    /// <summary>Advances the clock one tick and expires every unpaid order whose deadline it reached.</summary>
    private long Tick()
    {
        var now = ++_tick;
        foreach (var order in _orders.Values.Where(order => order.Status == "pending" && order.ExpiresAt <= now))
        {
            order.Status = "expired";
            _liveOrderByUser.Remove(order.UserId);
        }

        return now;
    }

    private IResult OrderAnswer(Order order, int statusCode) => Results.Text(JsonSerializer.Serialize(new
    {
        orderId = order.OrderId,
        saleId,
        userId = order.UserId,
        replicaId = "r1",
        status = order.Status,
        createdAt = _opening.AddSeconds(order.CreatedAt),
        expiresAt = _opening.AddSeconds(Math.Min(order.ExpiresAt, 1_000_000)),
        paidAt = order.PaidAt is { } paidAt ? _opening.AddSeconds(paidAt) : (DateTimeOffset?)null,
        paymentReference = order.PaymentReference,
        epoch = 1,
    }), "application/json", statusCode: statusCode);

    private static IResult Problem(int statusCode, string type) =>
        Results.Text($$"""{"type":"urn:spikeapp:problem:{{type}}","status":{{statusCode}}}""", "application/problem+json", statusCode: statusCode);

    private static void InterlockedMax(ref int location, int value)
    {
        var current = Volatile.Read(ref location);
        while (value > current && Interlocked.CompareExchange(ref location, value, current) != current)
        {
            current = Volatile.Read(ref location);
        }
    }

    private sealed class Order(string orderId, string userId, long createdAt, long expiresAt)
    {
        public string OrderId { get; } = orderId;

        public string UserId { get; } = userId;

        public long CreatedAt { get; } = createdAt;

        public long ExpiresAt { get; } = expiresAt;

        public string Status { get; set; } = "pending";

        public long? PaidAt { get; set; }

        public string? PaymentReference { get; set; }
    }
}
