namespace SpikeApp.AppHost.Tests;

/// <summary>A mode the AppHost does not know stops it before anything starts, naming the modes it takes.</summary>
public class ServerModeTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData("Redis")]
    [InlineData("Postgres")]
    public async Task AnUnknownModeStopsTheAppHostNamingTheModesItTakes(string server)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var dataRoot = Directory.CreateTempSubdirectory("spikeapp-mode-test-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<DistributedApplicationException>(() =>
                ContainerModeAppHost.CreateAsync(dataRoot, timeout.Token, $"{server}:Mode=cloud"));

            Assert.Equal($"{server}:Mode 'cloud' is not one of auto, container, local.", error.Message);
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }
}
