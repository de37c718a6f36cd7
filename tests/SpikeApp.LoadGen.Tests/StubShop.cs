using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SpikeApp.LoadGen.Tests;

/// <summary>
/// The sale contract in miniature, on a clock that ticks one second per purchase or payment so that expiry is exact:
/// one live order per buyer, 201 then 200, 409 sold-out while every unit is held; payments (200, 404, 409
/// order-expired); an unpaid order expires <c>paymentWindow</c> ticks after it was made, its unit back on sale and its
/// buyer free to buy again. The order processor's read API answers from the same orders, as if PostgreSQL had caught up.
/// As the API does, it knows buyers by their bearer token only: a purchase, a payment or an order read without a valid
/// one is 401, someone else's order is 404 no-order. It also refuses, as 400, what the load generator must not send:
/// a purchase with a body, a payment naming its buyer in the body.
/// </summary>
/// <param name="opening">
/// When set, the sale opens <see cref="StubOpening.OpensIn"/> after the shop is made, on a clock <see cref="StubOpening.ClockSkew"/>
/// off this machine's: before then a purchase is 409 sale-not-open, with or without a token, and orders are stamped on that clock.
/// </param>
public sealed class StubShop(string saleId, int stock, TimeSpan delay = default, int paymentWindow = int.MaxValue, StubOpening? opening = null)
{
    /// <summary>Tick 0 of the shop's clock: an hour ago, so every deadline the shop reports has passed by the time of the checks.</summary>
    private readonly DateTimeOffset _opening = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds());

    private static readonly JsonSerializerOptions WithoutNulls = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _liveOrderByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _refused = new(StringComparer.Ordinal);
    private readonly DateTimeOffset? _opensAt = opening is null ? null : DateTimeOffset.UtcNow + opening.ClockSkew + opening.OpensIn;
    private long _tick;
    private int _notOpen;
    private int _inFlight;
    private int _maxInFlight;
    private int _foreignReads;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>The sale's opening on the shop's clock, when it has one.</summary>
    public DateTimeOffset? OpensAt => _opensAt;

    /// <summary>Purchases answered 409 sale-not-open.</summary>
    public int NotOpenAnswers => Volatile.Read(ref _notOpen);

    /// <summary>When each order was created, on the shop's clock (only with an opening).</summary>
    public IReadOnlyList<DateTimeOffset> CreatedAt()
    {
        lock (_lock)
        {
            return [.. _orders.Values.Select(order => order.Created).OfType<DateTimeOffset>()];
        }
    }

    private DateTimeOffset ServerNow => DateTimeOffset.UtcNow + (opening?.ClockSkew ?? TimeSpan.Zero);

    /// <summary>Reads of an order by a buyer other than its own, each answered 404 no-order.</summary>
    public int ForeignReads => Volatile.Read(ref _foreignReads);

    /// <summary>Requests refused for what they sent (no valid token, a body where none belongs), by reason; empty when the client kept to the contract.</summary>
    public IReadOnlyDictionary<string, int> Refused => _refused.ToDictionary(StringComparer.Ordinal);

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
        app.MapGet("/api/sales/{saleId}/orders/{orderId}", GetBuyersOrderAsync);
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
            if (_opensAt is { } opensAt && ServerNow < opensAt)
            {
                Interlocked.Increment(ref _notOpen);
                return Problem(StatusCodes.Status409Conflict, "sale-not-open");
            }

            if (await StubBuyers.BuyerOfAsync(request) is not { } userId)
            {
                return Refuse("purchase without a valid token", StubBuyers.Unauthenticated(request.HttpContext.Response));
            }

            if (request.ContentLength > 0 || request.ContentType is not null || request.Headers.TransferEncoding.Count > 0)
            {
                return Refuse("purchase with a body", Problem(StatusCodes.Status400BadRequest, "invalid-input"));
            }

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

                var order = new Order($"o-{_orders.Count + 1}", userId, now, now + paymentWindow) { Created = _opensAt is null ? null : ServerNow };
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
        if (await StubBuyers.BuyerOfAsync(request) is not { } userId)
        {
            return Refuse("payment without a valid token", StubBuyers.Unauthenticated(request.HttpContext.Response));
        }

        using var body = await JsonDocument.ParseAsync(request.Body);
        if (body.RootElement.EnumerateObject().Select(property => property.Name).SingleOrDefault() != "paymentReference")
        {
            return Refuse("payment body other than its paymentReference", Problem(StatusCodes.Status400BadRequest, "invalid-input"));
        }

        var reference = body.RootElement.GetProperty("paymentReference").GetString();
        lock (_lock)
        {
            var now = Tick();
            if (!_orders.TryGetValue(orderId, out var order) || order.UserId != userId)
            {
                return Problem(StatusCodes.Status404NotFound, "no-order");
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
            // Without an opening the answer has no opensAt and serverTime at all, as an API without scheduled sales answers.
            return Results.Text(JsonSerializer.Serialize(new
            {
                saleId, total = stock, sold, remaining = stock - sold, soldOut = sold == stock, epoch = 1,
                state = _opensAt is { } opensAt && ServerNow < opensAt ? "scheduled" : sold == stock ? "sold_out" : "open",
                opensAt = _opensAt,
                serverTime = _opensAt is null ? (DateTimeOffset?)null : ServerNow,
                soldByReplica = new Dictionary<string, int> { ["r1"] = sold },
                replica = new { id = "r1", slice = stock, sliceRemaining = stock - sold, soldHere = sold, soldOutKnown = false, inDoubt = 0 },
            }, WithoutNulls), "application/json");
        }
    }

    /// <summary>The API's read: its buyer's token only; anyone else's order answers as a missing one.</summary>
    private async Task<IResult> GetBuyersOrderAsync(string orderId, HttpRequest request)
    {
        if (await StubBuyers.BuyerOfAsync(request) is not { } userId)
        {
            return Refuse("order read without a valid token", StubBuyers.Unauthenticated(request.HttpContext.Response));
        }

        lock (_lock)
        {
            if (_orders.TryGetValue(orderId, out var order) && order.UserId != userId)
            {
                _foreignReads++;
                return Problem(StatusCodes.Status404NotFound, "no-order");
            }
        }

        return GetOrder(orderId);
    }

    /// <summary>The order processor's read: internal, so without a token.</summary>
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
        createdAt = order.Created ?? _opening.AddSeconds(order.CreatedAt),
        expiresAt = _opening.AddSeconds(Math.Min(order.ExpiresAt, 1_000_000)),
        paidAt = order.PaidAt is { } paidAt ? _opening.AddSeconds(paidAt) : (DateTimeOffset?)null,
        paymentReference = order.PaymentReference,
        epoch = 1,
    }), "application/json", statusCode: statusCode);

    private IResult Refuse(string reason, IResult answer)
    {
        _refused.AddOrUpdate(reason, 1, (_, count) => count + 1);
        return answer;
    }

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

        public DateTimeOffset? Created { get; init; }

        public string? PaymentReference { get; set; }
    }
}

/// <summary>A stub sale's opening: how long after the shop is made, on a clock how far off this machine's.</summary>
public sealed record StubOpening(TimeSpan OpensIn, TimeSpan ClockSkew = default);
