using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.LoadGen.Invariants;

/// <param name="Orders">In api mode, every order id the client was handed, as the API holds the order now (read with its buyer's token).</param>
/// <param name="Foreign">In api mode, one buyer's read of another's order; null when no order its buyer could read has another buyer beside it.</param>
public sealed record RunReadback(
    SaleResponse? Sale, string? SaleError, IReadOnlyList<FetchedOrder> Orders, StoredReadback? Stored = null, ForeignOrderRead? Foreign = null);

/// <summary>An order id the client was handed, and the order when the API holds it for that buyer and sale; else why not.</summary>
public sealed record FetchedOrder(OrderHeld Held, Order? Order, string? Failure)
{
    public static FetchedOrder FromAnswer(string saleId, OrderHeld held, Order? answer, string? failure)
    {
        ArgumentNullException.ThrowIfNull(held);
        return answer switch
        {
            null => new(held, null, $"order {held.OrderId} of {held.UserId}: GET {failure}"),
            _ when answer.UserId != held.UserId => new(held, null, $"order {held.OrderId} belongs to {answer.UserId}, not {held.UserId}"),
            _ when answer.SaleId != saleId => new(held, null, $"order {held.OrderId} of {held.UserId} is of sale {answer.SaleId}"),
            _ => new(held, answer, null),
        };
    }
}

/// <summary>PostgreSQL's side: each order Redis holds as paid, as stored; and the summary after the run, left unread with --shared.</summary>
public sealed record StoredReadback(IReadOnlyList<StoredOrder> PaidOrders, OrdersSummary? SummaryAfter = null, string? SummaryError = null);

/// <summary>An order Redis holds as paid, and PostgreSQL's copy of it; null when <paramref name="Failure"/> says why there is none.</summary>
public sealed record StoredOrder(Order Paid, Order? Stored, string? Failure = null);
