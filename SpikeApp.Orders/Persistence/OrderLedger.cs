using Npgsql;
using NpgsqlTypes;
using SpikeApp.Contracts.Orders;
using SpikeApp.Store;

namespace SpikeApp.Orders.Persistence;

/// <summary>
/// The ledger in PostgreSQL: every order keyed by its id, with the epoch that sold it and its round, and every
/// incarnation of every sale. Storing is idempotent and monotonic: a replayed entry changes nothing, and a late
/// "created" never turns a decided order back to pending. A round that begins voids the pending orders of the rounds
/// before it, whichever arrives first, and the database itself refuses a second live order for a buyer in a round.
/// </summary>
public sealed class OrderLedger(NpgsqlDataSource dataSource)
{
    private const string UpsertIncarnations = """
        INSERT INTO sale_incarnations (sale_id, epoch, round, began, total, sold_at_start, began_at, last_seq, opens_at, closes_at)
        SELECT * FROM unnest(@sale_id, @epoch, @round, @began, @total, @sold, @began_at, @seq, @opens_at, @closes_at)
        ON CONFLICT (sale_id, epoch) DO UPDATE SET
            round = EXCLUDED.round,
            began = coalesce(EXCLUDED.began, sale_incarnations.began),
            total = coalesce(EXCLUDED.total, sale_incarnations.total),
            sold_at_start = coalesce(EXCLUDED.sold_at_start, sale_incarnations.sold_at_start),
            began_at = coalesce(EXCLUDED.began_at, sale_incarnations.began_at),
            opens_at = coalesce(EXCLUDED.opens_at, sale_incarnations.opens_at),
            closes_at = coalesce(EXCLUDED.closes_at, sale_incarnations.closes_at),
            last_seq = greatest(sale_incarnations.last_seq, EXCLUDED.last_seq)
        """;

    private const string VoidEarlierRounds = """
        UPDATE orders SET status = 'voided', updated_at = now()
        FROM unnest(@sale_id, @round) AS began(sale_id, round)
        WHERE orders.sale_id = began.sale_id AND orders.round > 0 AND orders.round < began.round AND orders.status = 'pending'
        """;

    // Decided changes first: a buyer's expired order is stored before the order they bought next.
    private const string UpsertOrders = """
        INSERT INTO orders (order_id, sale_id, user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference, epoch, round)
        SELECT o.order_id, o.sale_id, o.user_id, o.replica_id,
               CASE WHEN o.status = 'pending' AND EXISTS (
                   SELECT 1 FROM sale_incarnations i WHERE i.sale_id = o.sale_id AND i.round > o.round AND i.began IN ('created', 'reset'))
                    THEN 'voided' ELSE o.status END,
               o.created_at, o.expires_at, o.paid_at, o.payment_reference, o.epoch, o.round
        FROM unnest(@order_id, @sale_id, @user_id, @replica_id, @status, @created_at, @expires_at, @paid_at, @payment_reference, @epoch, @round)
            AS o(order_id, sale_id, user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference, epoch, round)
        ORDER BY o.status = 'pending'
        ON CONFLICT (order_id) DO UPDATE SET
            status = CASE WHEN orders.status = 'pending' THEN EXCLUDED.status ELSE orders.status END,
            paid_at = coalesce(orders.paid_at, EXCLUDED.paid_at),
            payment_reference = coalesce(orders.payment_reference, EXCLUDED.payment_reference),
            updated_at = now()
        """;

    private const string Summary = """
        SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'paid'),
               count(*) FILTER (WHERE status = 'expired'), count(*) FILTER (WHERE status = 'voided'), count(*)
        FROM orders WHERE sale_id = @sale_id
        """;

    private const string Find = """
        SELECT user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference, epoch
        FROM orders WHERE order_id = @order_id AND sale_id = @sale_id
        """;

    private const string Incarnations = """
        SELECT epoch, round, began, total, last_seq, opens_at, closes_at FROM sale_incarnations WHERE sale_id = @sale_id ORDER BY epoch DESC
        """;

    private const string RoundOrders = """
        SELECT order_id, user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference, epoch
        FROM orders WHERE sale_id = @sale_id AND round = @round ORDER BY created_at, order_id
        """;

    private const string KnownSales = "SELECT DISTINCT sale_id FROM sale_incarnations WHERE began IS NOT NULL";

    /// <summary>One transaction: the incarnations begun, the last change seen of each epoch, each order's latest state.</summary>
    public async Task StoreAsync(IReadOnlyCollection<SaleEvent> events, CancellationToken cancellationToken)
    {
        var incarnations = events.OfType<IncarnationEvent>().ToList();
        // The last change of each epoch seen, so a Redis that came back behind it is noticed.
        var seen = events.GroupBy(change => (change.SaleId, change.Epoch))
            .Select(epoch => (epoch.Key.SaleId, epoch.Key.Epoch, epoch.First().Round, Seq: epoch.Max(change => change.Seq)))
            .Where(epoch => !incarnations.Any(began => began.SaleId == epoch.SaleId && began.Epoch == epoch.Epoch))
            .ToList();
        // A batch may hold several changes of one order (created, then paid): the decided one is the latest.
        var orders = events.OfType<OrderEvent>().GroupBy(change => change.Order.OrderId)
            .Select(changes => changes.MaxBy(change => change.Order.Status == OrderStatus.Pending ? 0 : 1)!).ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        if (incarnations.Count + seen.Count > 0)
        {
            await using var command = new NpgsqlCommand(UpsertIncarnations, connection, transaction);
            Add<string>(command, "sale_id", NpgsqlDbType.Text, [.. incarnations.Select(began => began.SaleId), .. seen.Select(epoch => epoch.SaleId)]);
            Add<long>(command, "epoch", NpgsqlDbType.Bigint, [.. incarnations.Select(began => began.Epoch), .. seen.Select(epoch => epoch.Epoch)]);
            Add<long>(command, "round", NpgsqlDbType.Bigint, [.. incarnations.Select(began => began.Round), .. seen.Select(epoch => epoch.Round)]);
            Add<string?>(command, "began", NpgsqlDbType.Text, [.. incarnations.Select(began => IncarnationEvent.NameOf(began.Began)), .. seen.Select(_ => (string?)null)]);
            Add<long?>(command, "total", NpgsqlDbType.Bigint, [.. incarnations.Select(began => (long?)began.Total), .. seen.Select(_ => (long?)null)]);
            Add<long?>(command, "sold", NpgsqlDbType.Bigint, [.. incarnations.Select(began => (long?)began.Sold), .. seen.Select(_ => (long?)null)]);
            Add<DateTimeOffset?>(command, "began_at", NpgsqlDbType.TimestampTz, [.. incarnations.Select(began => (DateTimeOffset?)began.At), .. seen.Select(_ => (DateTimeOffset?)null)]);
            // An incarnation's last change is the latest of its epoch in the batch, not its own first entry.
            Add<long>(command, "seq", NpgsqlDbType.Bigint, [.. incarnations.Select(began => LastSeq(events, began)), .. seen.Select(epoch => epoch.Seq)]);
            Add<DateTimeOffset?>(command, "opens_at", NpgsqlDbType.TimestampTz, [.. incarnations.Select(began => began.OpensAt), .. seen.Select(_ => (DateTimeOffset?)null)]);
            Add<DateTimeOffset?>(command, "closes_at", NpgsqlDbType.TimestampTz, [.. incarnations.Select(began => began.ClosesAt), .. seen.Select(_ => (DateTimeOffset?)null)]);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var rounds = incarnations.Where(began => began.Began != IncarnationKind.Restored).ToList();
        if (rounds.Count > 0)
        {
            await using var command = new NpgsqlCommand(VoidEarlierRounds, connection, transaction);
            Add(command, "sale_id", NpgsqlDbType.Text, rounds.Select(began => began.SaleId));
            Add(command, "round", NpgsqlDbType.Bigint, rounds.Select(began => began.Round));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (orders.Count > 0)
        {
            await using var command = new NpgsqlCommand(UpsertOrders, connection, transaction);
            Add(command, "order_id", NpgsqlDbType.Text, orders.Select(change => change.Order.OrderId));
            Add(command, "sale_id", NpgsqlDbType.Text, orders.Select(change => change.Order.SaleId));
            Add(command, "user_id", NpgsqlDbType.Text, orders.Select(change => change.Order.UserId));
            Add(command, "replica_id", NpgsqlDbType.Text, orders.Select(change => change.Order.ReplicaId));
            Add(command, "status", NpgsqlDbType.Text, orders.Select(change => change.Order.Status.ToName()));
            Add(command, "created_at", NpgsqlDbType.TimestampTz, orders.Select(change => change.Order.CreatedAt));
            Add(command, "expires_at", NpgsqlDbType.TimestampTz, orders.Select(change => change.Order.ExpiresAt));
            Add(command, "paid_at", NpgsqlDbType.TimestampTz, orders.Select(change => change.Order.PaidAt));
            Add(command, "payment_reference", NpgsqlDbType.Text, orders.Select(change => change.Order.PaymentReference));
            Add(command, "epoch", NpgsqlDbType.Bigint, orders.Select(change => change.Order.Epoch));
            Add(command, "round", NpgsqlDbType.Bigint, orders.Select(change => change.Round));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The sale's stored orders by status (served by the <c>(sale_id, status)</c> index).</summary>
    public async Task<OrdersSummary> SummarizeAsync(string saleId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Summary);
        command.Parameters.AddWithValue("sale_id", saleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OrdersSummary(saleId, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>The order as last stored, or null when the processor has not stored it (or it is of another sale).</summary>
    public async Task<Order?> FindAsync(string saleId, string orderId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Find);
        command.Parameters.AddWithValue("order_id", orderId);
        command.Parameters.AddWithValue("sale_id", saleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOrder(reader, saleId, orderId, first: 0) : null;
    }

    public async Task<IReadOnlyList<string>> KnownSalesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(KnownSales);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sales = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sales.Add(reader.GetString(0));
        }

        return sales;
    }

    /// <summary>What the ledger knows of the sale's incarnations; <see cref="SaleHistory.Unknown"/> when it saw none.</summary>
    public async Task<SaleHistory> HistoryAsync(string saleId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Incarnations);
        command.Parameters.AddWithValue("sale_id", saleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var history = SaleHistory.Unknown;
        while (await reader.ReadAsync(cancellationToken))
        {
            var (epoch, round, lastSeq) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(4));
            if (history.LatestEpoch == 0)
            {
                history = history with { LatestEpoch = epoch, LastSeq = lastSeq };
            }

            if (history.Round == 0 && !await reader.IsDBNullAsync(2, cancellationToken) && !await reader.IsDBNullAsync(3, cancellationToken))
            {
                history = history with
                {
                    Round = round,
                    Total = reader.GetInt64(3),
                    Schedule = SaleSchedule.From(
                        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)),
                };
            }
        }

        return history;
    }

    /// <summary>Every order of the sale's <paramref name="round"/>, oldest first.</summary>
    public async Task<IReadOnlyList<Order>> RoundOrdersAsync(string saleId, long round, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(RoundOrders);
        command.Parameters.AddWithValue("sale_id", saleId);
        command.Parameters.AddWithValue("round", round);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var orders = new List<Order>();
        while (await reader.ReadAsync(cancellationToken))
        {
            orders.Add(ReadOrder(reader, saleId, reader.GetString(0), first: 1));
        }

        return orders;
    }

    /// <summary>An order from the columns user_id ... epoch, starting at column <paramref name="first"/>.</summary>
    private static Order ReadOrder(NpgsqlDataReader reader, string saleId, string orderId, int first) => new(
        orderId, saleId, reader.GetString(first), reader.GetString(first + 1), OrderStatuses.Parse(reader.GetString(first + 2)),
        reader.GetFieldValue<DateTimeOffset>(first + 3), reader.GetFieldValue<DateTimeOffset>(first + 4),
        reader.IsDBNull(first + 5) ? null : reader.GetFieldValue<DateTimeOffset>(first + 5),
        reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
        reader.GetInt64(first + 7));

    private static long LastSeq(IEnumerable<SaleEvent> events, IncarnationEvent began) =>
        events.Where(change => change.SaleId == began.SaleId && change.Epoch == began.Epoch).Max(change => change.Seq);

    private static void Add<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });
}

/// <param name="LatestEpoch">The highest epoch of the sale it saw anything of; 0 when none.</param>
/// <param name="LastSeq">The last change it stored of <paramref name="LatestEpoch"/>.</param>
/// <param name="Round">The round of the latest incarnation whose beginning it stored; 0 when none.</param>
/// <param name="Schedule">That incarnation's opening and closing, which a restore keeps.</param>
public sealed record SaleHistory(long LatestEpoch, long LastSeq, long Round, long Total, SaleSchedule Schedule = default)
{
    public static readonly SaleHistory Unknown = new(0, 0, 0, 0);

    /// <summary>The ledger saw the sale begin: it may be restored, never created afresh.</summary>
    public bool IsKnown => Round != 0;

    /// <summary>An older incarnation, or this one missing stored changes; read after storing what Redis' stream still had.</summary>
    public bool IsAhead(SaleState redis) => LatestEpoch > redis.Epoch || (LatestEpoch == redis.Epoch && LastSeq > redis.Seq);
}
