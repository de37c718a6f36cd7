using System.Collections.Concurrent;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>Order ids handed out, by buyer: a second, different one is a conflict, unless the first had expired.</summary>
public sealed class OrderBook
{
    private readonly ConcurrentDictionary<string, string> _orderByUser = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string UserId, string OrderId), bool> _conflicts = new();
    private readonly ConcurrentDictionary<string, PaymentOutcome> _payments = new(StringComparer.Ordinal);

    public int Buyers => _orderByUser.Count;

    public void Record(string userId, string orderId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orderId);
        var held = _orderByUser.GetOrAdd(userId, orderId);
        if (!string.Equals(held, orderId, StringComparison.Ordinal))
        {
            _conflicts.TryAdd((userId, orderId), true);
        }
    }

    /// <summary>Each order is paid for at most once, right after its 201.</summary>
    public void RecordPayment(string orderId, PaymentOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        _payments[orderId] = outcome;
    }

    public PaymentOutcome? PaymentOf(string orderId) => _payments.TryGetValue(orderId, out var outcome) ? outcome : null;

    public int Payments(PaymentOutcome outcome) => _payments.Values.Count(paid => paid == outcome);

    /// <summary>Each buyer's first order id, then every further one; distinct pairs.</summary>
    public IReadOnlyList<OrderHeld> Orders() =>
        [.. _orderByUser.Select(order => new OrderHeld(order.Key, order.Value)),
         .. _conflicts.Keys.Select(conflict => new OrderHeld(conflict.UserId, conflict.OrderId))];

    public IReadOnlyList<OrderConflict> Conflicts() =>
        [.. _conflicts.Keys
            .GroupBy(conflict => conflict.UserId, StringComparer.Ordinal)
            .Select(user => new OrderConflict(user.Key, [_orderByUser[user.Key], .. user.Select(conflict => conflict.OrderId).Order(StringComparer.Ordinal)]))
            .OrderBy(conflict => conflict.UserId, StringComparer.Ordinal)];

    public int DistinctOrderIds() => Orders().Select(order => order.OrderId).Distinct(StringComparer.Ordinal).Count();
}

public sealed record OrderHeld(string UserId, string OrderId);

public sealed record OrderConflict(string UserId, IReadOnlyList<string> OrderIds);
