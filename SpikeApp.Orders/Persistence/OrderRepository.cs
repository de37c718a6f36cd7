using Npgsql;
using NpgsqlTypes;
using SpikeApp.Contracts.Orders;

namespace SpikeApp.Orders.Persistence;

/// <summary>
/// Orders in PostgreSQL, keyed by order id. Storing is idempotent and monotonic: a replayed entry changes nothing, and a
/// late "created" never turns a paid or expired order back to pending (Redis already decided paid or expired, once).
/// </summary>
public sealed class OrderRepository(NpgsqlDataSource dataSource)
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS orders (
            order_id          text PRIMARY KEY,
            sale_id           text NOT NULL,
            user_id           text NOT NULL,
            replica_id        text NOT NULL,
            status            text NOT NULL CHECK (status IN ('pending', 'paid', 'expired')),
            created_at        timestamptz NOT NULL,
            expires_at        timestamptz NOT NULL,
            paid_at           timestamptz,
            payment_reference text,
            updated_at        timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS orders_by_sale_and_status ON orders (sale_id, status);
        """;

    private const string Upsert = """
        INSERT INTO orders (order_id, sale_id, user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference)
        SELECT * FROM unnest(@order_id, @sale_id, @user_id, @replica_id, @status, @created_at, @expires_at, @paid_at, @payment_reference)
        ON CONFLICT (order_id) DO UPDATE SET
            status = CASE WHEN orders.status = 'pending' THEN EXCLUDED.status ELSE orders.status END,
            paid_at = COALESCE(orders.paid_at, EXCLUDED.paid_at),
            payment_reference = COALESCE(orders.payment_reference, EXCLUDED.payment_reference),
            updated_at = now()
        """;

    private const string CountByStatus = """
        SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'paid'),
               count(*) FILTER (WHERE status = 'expired'), count(*)
        FROM orders WHERE sale_id = @sale_id
        """;

    private const string Find = """
        SELECT user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference
        FROM orders WHERE order_id = @order_id AND sale_id = @sale_id
        """;

    /// <summary>Creates the table if it is missing: the schema's one migration, run at start-up.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Schema);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stores the orders' latest known state in one statement (one transaction).</summary>
    public async Task StoreAsync(IReadOnlyCollection<Order> orders, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Upsert);
        Add(command, "order_id", NpgsqlDbType.Text, orders.Select(order => order.OrderId));
        Add(command, "sale_id", NpgsqlDbType.Text, orders.Select(order => order.SaleId));
        Add(command, "user_id", NpgsqlDbType.Text, orders.Select(order => order.UserId));
        Add(command, "replica_id", NpgsqlDbType.Text, orders.Select(order => order.ReplicaId));
        Add(command, "status", NpgsqlDbType.Text, orders.Select(order => order.Status.ToName()));
        Add(command, "created_at", NpgsqlDbType.TimestampTz, orders.Select(order => order.CreatedAt));
        Add(command, "expires_at", NpgsqlDbType.TimestampTz, orders.Select(order => order.ExpiresAt));
        Add(command, "paid_at", NpgsqlDbType.TimestampTz, orders.Select(order => order.PaidAt));
        Add(command, "payment_reference", NpgsqlDbType.Text, orders.Select(order => order.PaymentReference));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The sale's stored orders by status (served by the <c>(sale_id, status)</c> index).</summary>
    public async Task<OrdersSummary> SummarizeAsync(string saleId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CountByStatus);
        command.Parameters.AddWithValue("sale_id", saleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OrdersSummary(saleId, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary>The order as last stored, or null when the processor has not stored it (or it is of another sale).</summary>
    public async Task<Order?> FindAsync(string saleId, string orderId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Find);
        command.Parameters.AddWithValue("order_id", orderId);
        command.Parameters.AddWithValue("sale_id", saleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new Order(
            orderId, saleId, reader.GetString(0), reader.GetString(1), OrderStatuses.Parse(reader.GetString(2)),
            reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
            await reader.IsDBNullAsync(5, cancellationToken) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            await reader.IsDBNullAsync(6, cancellationToken) ? null : reader.GetString(6));
    }

    private static void Add<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });
}
