using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using SpikeApp.Hosting.Postgres;
using SpikeApp.Hosting.Servers;

namespace Aspire.Hosting;

/// <summary>Adds PostgreSQL and its databases to the application model as a container or as this machine's server, by configuration.</summary>
public static partial class SpikePostgresBuilderExtensions
{
    private const string SectionName = "Postgres";
    private const string TemporaryPrefix = "spikeapp-postgres-";

    /// <summary>
    /// Adds PostgreSQL as <c>Postgres:Mode</c> says (container, local or auto), its cluster in <c>Postgres:DataDirectory</c>
    /// or else a per-run folder; the connection string <paramref name="name"/> names the server, no database.
    /// </summary>
    /// <exception cref="DistributedApplicationException">The mode is unknown, or this machine cannot run it.</exception>
    public static IResourceBuilder<IResourceWithConnectionString> AddSpikePostgres(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);

        var settings = ServerSettings.From(builder.Configuration, SectionName);
        var installation = PostgresInstallation.Find();
        var mode = settings.ChooseMode(SectionName, builder.Configuration, installedHere: installation is not null,
            localServer: "a PostgreSQL server (initdb and postgres, under /usr/lib/postgresql/<version>/bin or on PATH)",
            install: "'apt-get install postgresql' or 'brew install postgresql'");

        if (mode == ServerMode.Container)
        {
            // The run's folder is the cluster's: a restart of the container keeps every commit of the run.
            return builder.AddPostgres(name).WithDataBindMount(settings.ResolveDataDirectory(builder, TemporaryPrefix));
        }

        // postmaster.pid names the server until it has shut down: the run's folder is deleted after that.
        return builder.AddLocalPostgres(name, installation!, settings.ResolveDataDirectory(builder, TemporaryPrefix, serverPidFile: "postmaster.pid"));
    }

    /// <summary>
    /// Adds database <paramref name="databaseName"/> (default <paramref name="name"/>) to a server from <see cref="AddSpikePostgres"/>,
    /// created when the server is ready if missing, so that waiting for it means the database accepts connections.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddSpikeDatabase(this IResourceBuilder<IResourceWithConnectionString> postgres,
        [ResourceName] string name, string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        ArgumentNullException.ThrowIfNull(name);

        return postgres.Resource switch
        {
            PostgresServerResource container => postgres.ApplicationBuilder.CreateResourceBuilder(container).AddDatabase(name, databaseName),
            LocalPostgresResource local => postgres.ApplicationBuilder.CreateResourceBuilder(local).AddDatabase(name, databaseName),
            _ => throw new ArgumentException($"'{postgres.Resource.Name}' is not a PostgreSQL server from AddSpikePostgres.", nameof(postgres)),
        };
    }

    private static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name,
        PostgresInstallation installation, string dataDirectory)
    {
        var passwordValue = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var password = new ParameterResource($"{name}-password", _ => passwordValue, secret: true);
        var (command, prefix) = installation.LaunchServer();
        var resource = new LocalPostgresResource(name, command, dataDirectory, password);
        var cluster = new LocalPostgresCluster(installation, dataDirectory, passwordValue);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, cancellationToken) =>
            connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => LocalPostgresCluster.WithoutPooling(connectionString ?? throw NotAvailableYet(name), database: "postgres"),
            name: healthCheckKey);

        return builder.AddResource(resource)
            .WithEndpoint(name: LocalPostgresResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(
            [
                .. prefix,
                "-D", dataDirectory,
                "-p", resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort),
                "-c", "listen_addresses=127.0.0.1",
                // No Unix socket: only the postgres user may write Debian's socket folder, and clients come over TCP.
                "-c", "unix_socket_directories=",
                "-c", "fsync=on",
                "-c", "synchronous_commit=on",
                "-c", "full_page_writes=on",
            ])
            .OnBeforeResourceStarted(async (server, @event, cancellationToken) =>
            {
                await PublishDatabaseStatesAsync(@event.Services, server, snapshot => snapshot with { State = KnownResourceStates.Starting, StopTimeStamp = null });
                try
                {
                    await cluster.PrepareAsync(@event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server), cancellationToken);
                }
                catch
                {
                    await PublishDatabaseStatesAsync(@event.Services, server, snapshot => snapshot with { State = KnownResourceStates.FailedToStart });
                    throw;
                }
            })
            .OnResourceReady(async (server, @event, cancellationToken) =>
            {
                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                var serverConnectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? throw NotAvailableYet(name);
                foreach (var database in server.Databases)
                {
                    try
                    {
                        await LocalPostgresCluster.CreateDatabaseIfMissingAsync(serverConnectionString, database.DatabaseName, cancellationToken);
                        await notifications.PublishUpdateAsync(database, snapshot => snapshot with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
                    }
                    catch (NpgsqlException ex)
                    {
                        LogDatabaseNotCreated(@event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(database), ex, database.DatabaseName);
                        await notifications.PublishUpdateAsync(database, snapshot => snapshot with { State = KnownResourceStates.FailedToStart });
                    }
                }
            })
            .OnResourceStopped((server, @event, _) => PublishDatabaseStatesAsync(@event.Services, server, snapshot => snapshot with
            {
                State = @event.ResourceEvent.Snapshot.State,
                StopTimeStamp = @event.ResourceEvent.Snapshot.StopTimeStamp,
            }))
            .WithHealthCheck(healthCheckKey)
            .WithIconName("DatabaseMultiple");
    }

    private static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> postgres, string name,
        string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, postgres.Resource);
        postgres.Resource.AddDatabase(database);

        string? connectionString = null;
        postgres.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, cancellationToken) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken));

        var healthCheckKey = $"{name}_check";
        postgres.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => LocalPostgresCluster.WithoutPooling(connectionString ?? throw NotAvailableYet(name)),
            name: healthCheckKey);

        return postgres.ApplicationBuilder.AddResource(database)
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database");
    }

    /// <summary>Aspire passes a container's state on to its databases, but not an executable's.</summary>
    private static async Task PublishDatabaseStatesAsync(IServiceProvider services, LocalPostgresResource server,
        Func<CustomResourceSnapshot, CustomResourceSnapshot> update)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        foreach (var database in server.Databases)
        {
            await notifications.PublishUpdateAsync(database, update);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create database '{Database}'")]
    private static partial void LogDatabaseNotCreated(ILogger logger, Exception exception, string database);

    private static DistributedApplicationException NotAvailableYet(string name) =>
        new($"The connection string of '{name}' is not available yet.");
}
