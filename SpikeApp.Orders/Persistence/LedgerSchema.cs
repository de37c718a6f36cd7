using Npgsql;

namespace SpikeApp.Orders.Persistence;

/// <summary>Every processor migrates at start-up: an advisory lock held for the transaction makes them take turns.</summary>
public sealed class LedgerSchema(NpgsqlDataSource dataSource)
{
    /// <summary>Any number that is this schema's own: the advisory lock's key.</summary>
    private const long LockKey = 0x5350_494b_4545_4c47;

    private static readonly string[] Steps =
    [
        """
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
        """,
        """
        ALTER TABLE orders ADD COLUMN IF NOT EXISTS epoch bigint NOT NULL DEFAULT 0;
        ALTER TABLE orders ADD COLUMN IF NOT EXISTS round bigint NOT NULL DEFAULT 0;
        ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_status_check;
        ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'expired', 'voided'));
        -- At most one live order per buyer in a round of a sale. Rows stored before rounds were (round 0) are left out.
        CREATE UNIQUE INDEX IF NOT EXISTS orders_one_live_per_buyer ON orders (sale_id, round, user_id)
            WHERE status IN ('pending', 'paid') AND round > 0;
        CREATE INDEX IF NOT EXISTS orders_by_sale_and_round ON orders (sale_id, round);
        CREATE TABLE IF NOT EXISTS sale_incarnations (
            sale_id       text NOT NULL,
            epoch         bigint NOT NULL,
            round         bigint NOT NULL,
            began         text CHECK (began IN ('created', 'reset', 'restored')),
            total         bigint,
            sold_at_start bigint,
            began_at      timestamptz,
            last_seq      bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (sale_id, epoch));
        """,
        """
        -- A round's schedule, on Redis' clock: a restore keeps it. Null opens_at: open from the start.
        ALTER TABLE sale_incarnations ADD COLUMN IF NOT EXISTS opens_at timestamptz;
        ALTER TABLE sale_incarnations ADD COLUMN IF NOT EXISTS closes_at timestamptz;
        """,
    ];

    private readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this process has brought the schema up to date.</summary>
    public Task WhenMigrated => _migrated.Task;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            cancellationToken);

        await using var applied = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_migrations", connection);
        var version = (int)(await applied.ExecuteScalarAsync(cancellationToken))!;
        for (var step = version; step < Steps.Length; step++)
        {
            await ExecuteAsync(connection, Steps[step], cancellationToken);
            await ExecuteAsync(connection, $"INSERT INTO schema_migrations (version) VALUES ({step + 1})", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _migrated.TrySetResult();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
