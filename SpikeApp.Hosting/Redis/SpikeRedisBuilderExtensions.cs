using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SpikeApp.Hosting.Servers;

namespace Aspire.Hosting;

/// <summary>Adds Redis to the application model as a container or as this machine's <c>redis-server</c>, by configuration.</summary>
public static class SpikeRedisBuilderExtensions
{
    private const string SectionName = "Redis";
    private const string ServerExecutable = "redis-server";

    /// <summary>
    /// Adds Redis as <c>Redis:Mode</c> says (container, local or auto), with an append-only file fsynced on every write in
    /// <c>Redis:DataDirectory</c> or else a per-run folder.
    /// </summary>
    /// <exception cref="DistributedApplicationException">The mode is unknown, or this machine cannot run it.</exception>
    public static IResourceBuilder<IResourceWithConnectionString> AddSpikeRedis(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);

        var settings = ServerSettings.From(builder.Configuration, SectionName);
        var serverPath = Executables.FindOnPath(ServerExecutable);
        var mode = settings.ChooseMode(SectionName, builder.Configuration, installedHere: serverPath is not null,
            localServer: "redis-server on PATH", install: "'apt-get install redis-server' or 'brew install redis'");

        var dataDirectory = settings.ResolveDataDirectory(builder, "spikeapp-redis-");
        return mode == ServerMode.Container
            ? builder.AddDurableRedisContainer(name, dataDirectory)
            : builder.AddLocalRedis(name, serverPath!, dataDirectory);
    }

    /// <summary>Durable as local mode, so a Redis restart loses no acknowledged order.</summary>
    private static IResourceBuilder<RedisResource> AddDurableRedisContainer(this IDistributedApplicationBuilder builder, string name, string dataDirectory) =>
        builder.AddRedis(name)
            .WithDataBindMount(dataDirectory)
            .WithArgs(context =>
            {
                // Aspire runs the container as /bin/sh: at run time the server's words are in the list (joined into one
                // "-c" command later), in a published manifest they are already that one command.
                const string appendOnly = "--appendonly yes --appendfsync always";
                if (context.Args is ["redis-server", ..])
                {
                    foreach (var word in appendOnly.Split(' '))
                    {
                        context.Args.Add(word);
                    }
                }
                else if (context.Args is [.., "-c", string command] && command.StartsWith("redis-server", StringComparison.Ordinal))
                {
                    context.Args[^1] = $"{command} {appendOnly}";
                }
                else
                {
                    throw new DistributedApplicationException(
                        "The Redis container's command line is not the one this AppHost knows; cannot switch on its append-only file.");
                }
            });

    private static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string serverPath, string dataDirectory)
    {
        var passwordValue = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var password = new ParameterResource($"{name}-password", _ => passwordValue, secret: true);
        var configFile = WriteServerConfig(dataDirectory, passwordValue);
        var resource = new LocalRedisResource(name, serverPath, dataDirectory, password);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, cancellationToken) =>
            connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new DistributedApplicationException($"The connection string of '{name}' is not available yet."),
            name: healthCheckKey);

        return builder.AddResource(resource)
            .WithEndpoint(name: LocalRedisResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database");
    }

    /// <summary>The password lives in a file only the owner can read, not on the command line where the dashboard and <c>ps</c> show it.</summary>
    private static string WriteServerConfig(string dataDirectory, string password)
    {
        var path = Path.Combine(dataDirectory, "redis.conf");
        var lines = new[]
        {
            "bind 127.0.0.1",
            "protected-mode yes",
            $"requirepass {password}",
            $"dir {dataDirectory}",
            "appendonly yes",
            "appendfsync always",
            "save \"\"",
            "daemonize no",
            "logfile \"\"",
        };

        File.WriteAllLines(path, lines);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
