using SpikeApp.Contracts.Orders;
using SpikeApp.Store;

namespace SpikeApp.Orders.Tests;

/// <summary>
/// A sale's stream entries as the scripts write them, to feed the ledger: each entry carries the epoch that wrote it, the round
/// (a created or reset incarnation begins a round named by its epoch; a restore keeps the round) and its seq in that
/// epoch. An order's changes carry the order's round; orders are created a second apart, with their sale's id in theirs.
/// </summary>
public sealed class SaleEntries(string saleId, long firstEpoch = SaleEntries.FirstEpoch)
{
    /// <summary>2026-11-27T18:00:00Z in microseconds, as Redis' clock names an epoch.</summary>
    public const long FirstEpoch = 1_795_802_400_000_000;

    private static readonly DateTimeOffset Opening = DateTimeOffset.UnixEpoch.AddTicks(FirstEpoch * 10);
    private static readonly TimeSpan PaymentWindow = TimeSpan.FromMinutes(15);

    private long _nextEpoch = firstEpoch;
    private long _seq;
    private int _entries;
    private int _orders;

    public string SaleId => saleId;

    /// <summary>The incarnation writing now.</summary>
    public long Epoch { get; private set; }

    public long Round { get; private set; }

    /// <summary>A new incarnation, a second after the last one.</summary>
    public IncarnationEvent Begin(IncarnationKind began, long total = 10, long sold = 0)
    {
        Epoch = _nextEpoch;
        _nextEpoch += 1_000_000;
        Round = began == IncarnationKind.Restored ? Round : Epoch;
        _seq = 0;
        return new IncarnationEvent(NextEntryId(), saleId, Epoch, Round, ++_seq, began, total, sold,
            DateTimeOffset.UnixEpoch.AddTicks(Epoch * 10));
    }

    public OrderEvent Created(string userId, string replicaId = "api-1")
    {
        var createdAt = Opening.AddSeconds(++_orders);
        return Write(Round, new Order($"{saleId}-o{_orders}", saleId, userId, replicaId, OrderStatus.Pending, createdAt,
            createdAt + PaymentWindow, PaidAt: null, PaymentReference: null, Epoch));
    }

    public OrderEvent Paid(OrderEvent created, string reference) => Write(created.Round, created.Order with
    {
        Status = OrderStatus.Paid,
        PaidAt = created.Order.CreatedAt.AddSeconds(30.25),
        PaymentReference = reference,
    });

    public OrderEvent Expired(OrderEvent created) => Write(created.Round, created.Order with { Status = OrderStatus.Expired });

    private OrderEvent Write(long round, Order order) => new(NextEntryId(), Epoch, round, ++_seq, order, TraceParent: null);

    private string NextEntryId() => $"{++_entries}-0";
}
