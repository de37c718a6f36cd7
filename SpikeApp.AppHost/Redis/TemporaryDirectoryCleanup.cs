using Microsoft.Extensions.Hosting;

namespace SpikeApp.AppHost.Redis;

/// <summary>Deletes a per-run data folder when the AppHost stops, so runs do not pile up in the temp folder.</summary>
internal sealed class TemporaryDirectoryCleanup(string path) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a server still writing (or Windows holding a handle) leaves the folder to the OS' temp cleanup.
        }

        return Task.CompletedTask;
    }
}
