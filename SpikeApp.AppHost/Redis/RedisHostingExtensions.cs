using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace SpikeApp.AppHost.Redis;

public static class RedisHostingExtensions
{
    private const string ServerExecutable = "redis-server";

    /// <summary>
    /// Adds Redis as <c>Redis:Mode</c> says: Aspire's container, a local <c>redis-server</c>, or (auto) whichever this
    /// machine can run, failing at once with both fixes named when it can run neither.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddSpikeRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var modeSetting = builder.Configuration["Redis:Mode"];
        if (!Enum.TryParse<RedisMode>(string.IsNullOrWhiteSpace(modeSetting) ? nameof(RedisMode.Auto) : modeSetting, ignoreCase: true, out var mode)
            || !Enum.IsDefined(mode))
        {
            throw new DistributedApplicationException($"Redis:Mode '{modeSetting}' is not one of auto, container, local.");
        }

        var serverPath = FindOnPath(ServerExecutable);
        if (mode == RedisMode.Auto)
        {
            mode = ContainerRuntimeAnswers(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]) ? RedisMode.Container
                : serverPath is not null ? RedisMode.Local
                : throw new DistributedApplicationException(
                    "Redis needs either a running container runtime (start Docker or Podman) or redis-server on PATH " +
                    "(e.g. 'apt-get install redis-server' or 'brew install redis'); neither was found. Set Redis:Mode to choose explicitly.");
        }

        if (mode == RedisMode.Container)
        {
            return builder.AddDurableRedisContainer(name);
        }

        return builder.AddLocalRedis(name, serverPath ?? throw new DistributedApplicationException(
            "Redis:Mode is 'local' but redis-server is not on PATH. Install it (e.g. 'apt-get install redis-server') or use Redis:Mode 'container'."));
    }

    /// <summary>
    /// Aspire's Redis container with the durability of local mode: an append-only file fsynced on every write, in a data
    /// folder bound from the host and kept for the run, so a Redis restart loses no acknowledged order.
    /// </summary>
    public static IResourceBuilder<RedisResource> AddDurableRedisContainer(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddRedis(name)
            .WithDataBindMount(builder.ResolveRedisDataDirectory())
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

    /// <summary>Runs <paramref name="serverPath"/> on a port Aspire allocates, with the settings of <see cref="LocalRedisResource"/>.</summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string serverPath)
    {
        var dataDirectory = builder.ResolveRedisDataDirectory();
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

    /// <summary>Like Aspire's session containers, each run starts empty unless Redis:DataDirectory names a folder to keep.</summary>
    private static string ResolveRedisDataDirectory(this IDistributedApplicationBuilder builder)
    {
        if (builder.Configuration["Redis:DataDirectory"] is { Length: > 0 } configured)
        {
            return Directory.CreateDirectory(Path.GetFullPath(configured, builder.AppHostDirectory)).FullName;
        }

        var dataDirectory = Directory.CreateTempSubdirectory("spikeapp-redis-").FullName;
        builder.Services.AddHostedService(_ => new TemporaryDirectoryCleanup(dataDirectory));
        return dataDirectory;
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

    private static bool ContainerRuntimeAnswers(string? configuredRuntime)
    {
        var runtime = string.IsNullOrWhiteSpace(configuredRuntime) ? "docker" : configuredRuntime;
        if (FindOnPath(runtime) is not string runtimePath)
        {
            return false;
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo(runtimePath, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (probe is null)
            {
                return false;
            }

            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                probe.Kill(entireProcessTree: true);
                return false;
            }

            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? FindOnPath(string executable)
    {
        var names = OperatingSystem.IsWindows() ? new[] { executable + ".exe", executable } : [executable];
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
