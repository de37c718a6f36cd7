using Npgsql;

namespace SpikeApp.Hosting.Tests;

/// <summary>The few queries the PostgreSQL tests ask, each in one line.</summary>
internal static class PostgresQueries
{
    public static async Task<T> ScalarAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Assert.IsType<T>(await command.ExecuteScalarAsync(cancellationToken));
    }

    public static async Task<List<string>> ListAsync(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public static async Task ExecuteAsync(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The server's current value of each setting named (all of them must exist).</summary>
    public static async Task<Dictionary<string, string>> SettingsAsync(this NpgsqlConnection connection, CancellationToken cancellationToken, params string[] names)
    {
        await using var command = new NpgsqlCommand("SELECT name, setting FROM pg_settings WHERE name = ANY($1)", connection) { Parameters = { new() { Value = names } } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            settings.Add(reader.GetString(0), reader.GetString(1));
        }

        Assert.Equal(names.Order(), settings.Keys.Order());
        return settings;
    }
}
