using Microsoft.Extensions.Logging;
using Npgsql;

namespace SpikeApp.Hosting.Postgres;

internal sealed class LocalPostgresCluster(PostgresInstallation installation, string dataDirectory, string password)
{
    // Set once this run's password opens the cluster; a restart from the dashboard then has nothing to prepare.
    private bool _prepared;

    /// <summary>A cluster kept from an earlier run gets this run's password, since every run generates one.</summary>
    public async Task PrepareAsync(ILogger logger, CancellationToken cancellationToken)
    {
        if (_prepared)
        {
            return;
        }

        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await SetPasswordAsync(logger, cancellationToken);
        }
        else
        {
            await InitDbAsync(logger, cancellationToken);
        }

        _prepared = true;
    }

    public static async Task CreateDatabaseIfMissingAsync(string serverConnectionString, string databaseName, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(WithoutPooling(serverConnectionString, database: "postgres"));
        await connection.OpenAsync(cancellationToken);

        // Asked first rather than caught: a CREATE that fails would print an error in the server's log on every restart.
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = databaseName } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {new NpgsqlCommandBuilder().QuoteIdentifier(databaseName)}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>An idle pooled connection held by the AppHost would keep the server's shutdown waiting for it.</summary>
    public static string WithoutPooling(string connectionString, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        return builder.ConnectionString;
    }

    private async Task InitDbAsync(ILogger logger, CancellationToken cancellationToken)
    {
        await installation.GiveToServiceUserAsync(dataDirectory, logger, cancellationToken);

        // The password reaches initdb in a file only its owner reads, never on a command line the dashboard and ps show.
        var passwordFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
            await installation.GiveToServiceUserAsync(passwordFile, logger, cancellationToken);
            var exitCode = await installation.RunAsync(installation.InitDb,
            [
                "--pgdata", dataDirectory,
                "--username", LocalPostgresResource.UserName,
                "--pwfile", passwordFile,
                "--auth", "scram-sha-256",
                "--encoding", "UTF8",
                "--locale", "C",
                "--data-checksums",
            ], standardInput: null, logger, cancellationToken);
            if (exitCode != 0)
            {
                throw new DistributedApplicationException($"initdb exited with code {exitCode}; its output is above.");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private async Task SetPasswordAsync(ILogger logger, CancellationToken cancellationToken)
    {
        // Single-user mode reads the statement from standard input: the password stays off every command line.
        var exitCode = await installation.RunAsync(installation.Server, ["--single", "-D", dataDirectory, "postgres"],
            standardInput: $"ALTER ROLE {LocalPostgresResource.UserName} PASSWORD '{password}';\n", logger, cancellationToken);
        if (exitCode != 0)
        {
            throw new DistributedApplicationException(
                $"PostgreSQL could not open the cluster in '{dataDirectory}' (exit code {exitCode}; its output is above). " +
                "Is it from another PostgreSQL version, or still in use?");
        }
    }
}
