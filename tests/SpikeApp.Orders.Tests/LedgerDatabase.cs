using Npgsql;
using SpikeApp.Orders.Persistence;

namespace SpikeApp.Orders.Tests;

/// <summary>
/// One PostgreSQL server for the ledger tests: its <see cref="PostgresServerProcess.Database"/> database migrated once
/// and shared (each test its own sales), and empty databases on demand.
/// </summary>
public sealed class LedgerDatabase : IAsyncLifetime, IAsyncDisposable
{
    private readonly PostgresServerProcess _postgres = new();
    private NpgsqlDataSource? _dataSource;

    /// <summary>The migrated database.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("PostgreSQL is not started.");

    public async Task InitializeAsync()
    {
        await _postgres.StartAsync();
        _dataSource = NpgsqlDataSource.Create(_postgres.ConnectionString);
        await new LedgerSchema(_dataSource).MigrateAsync(CancellationToken.None);
    }

    /// <summary>A new database with nothing in it, as a first deployment finds it; returns its connection string.</summary>
    public async Task<string> CreateEmptyDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var create = DataSource.CreateCommand($"CREATE DATABASE {name}");
        await create.ExecuteNonQueryAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = name }.ConnectionString;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        await _postgres.DisposeAsync();
    }
}
