namespace SpikeApp.Hosting.Tests;

/// <summary>A mode the AppHost does not know stops it before anything starts, naming the modes it takes.</summary>
public class ServerModeTests
{
    [Theory]
    [InlineData("Redis")]
    [InlineData("Postgres")]
    public void AnUnknownModeStopsTheAppHostNamingTheModesItTakes(string server)
    {
        var builder = DistributedApplication.CreateBuilder([$"{server}:Mode=cloud"]);

        var error = Assert.Throws<DistributedApplicationException>(() =>
            server == "Redis" ? builder.AddSpikeRedis("redis") : builder.AddSpikePostgres("postgres"));

        Assert.Equal($"{server}:Mode 'cloud' is not one of auto, container, local.", error.Message);
    }
}
