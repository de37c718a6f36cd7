using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SpikeApp.Hosting.Servers;

internal sealed class ServerSettings
{
    public ServerMode Mode { get; set; } = ServerMode.Auto;

    /// <summary>A folder kept across runs; unset, each run gets a fresh temp folder, deleted when the AppHost stops.</summary>
    public string? DataDirectory { get; set; }

    public static ServerSettings From(IConfiguration configuration, string sectionName)
    {
        var section = configuration.GetSection(sectionName);
        var settings = new ServerSettings { DataDirectory = section[nameof(DataDirectory)] };

        // Read by hand rather than bound: a blank mode means the default, and a wrong one gets the values a user may write.
        if (section[nameof(Mode)] is { } mode && !string.IsNullOrWhiteSpace(mode))
        {
            settings.Mode = Enum.TryParse<ServerMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                : throw new DistributedApplicationException($"{sectionName}:Mode '{mode}' is not one of auto, container, local.");
        }

        return settings;
    }

    public ServerMode ChooseMode(string sectionName, IConfiguration configuration, bool installedHere, string localServer, string install) => Mode switch
    {
        ServerMode.Container => ServerMode.Container,
        ServerMode.Local when installedHere => ServerMode.Local,
        ServerMode.Local => throw new DistributedApplicationException(
            $"{sectionName}:Mode is 'local' but {localServer} was not found. Install it (e.g. {install}) or use {sectionName}:Mode 'container'."),
        _ when ContainerRuntime.Answers(configuration) => ServerMode.Container,
        _ when installedHere => ServerMode.Local,
        _ => throw new DistributedApplicationException(
            $"{sectionName} needs either a running container runtime (start Docker or Podman) or {localServer}, e.g. {install}; " +
            $"neither was found. Set {sectionName}:Mode to choose explicitly."),
    };

    /// <summary>Unset: a per-run folder, deleted once the server named in its <paramref name="serverPidFile"/> has exited.</summary>
    public string ResolveDataDirectory(IDistributedApplicationBuilder builder, string temporaryPrefix, string? serverPidFile = null)
    {
        if (DataDirectory is { Length: > 0 } configured)
        {
            return Directory.CreateDirectory(Path.GetFullPath(configured, builder.AppHostDirectory)).FullName;
        }

        // Like Aspire's session containers: each run starts empty.
        var dataDirectory = Directory.CreateTempSubdirectory(temporaryPrefix).FullName;
        // Not AddHostedService: it keeps one service per type, and every server has a folder to delete.
        builder.Services.AddSingleton<IHostedService>(_ => new TemporaryDirectoryCleanup(dataDirectory, serverPidFile));
        return dataDirectory;
    }
}
