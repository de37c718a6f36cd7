namespace SpikeApp.Hosting.Tests;

/// <summary>
/// Container mode cannot start here (no container engine), but the model it builds can be read: it must give the
/// container the durability local mode has.
/// </summary>
public class ContainerRedisTests
{
    [Fact]
    public async Task ContainerRedisKeepsAnAppendOnlyFileFsyncedOnEveryWrite()
    {
        var dataRoot = Directory.CreateTempSubdirectory("spikeapp-container-test-").FullName;
        try
        {
            var builder = DistributedApplication.CreateBuilder(["Redis:Mode=container", $"Redis:DataDirectory={Path.Combine(dataRoot, "redis")}"]);

            var redis = Assert.IsType<RedisResource>(builder.AddSpikeRedis("redis").Resource);
#pragma warning disable CS0618 // Its successor (ExecutionConfigurationBuilder) needs a running app's execution context; this reads the model only.
            var arguments = await redis.GetArgumentValuesAsync();
#pragma warning restore CS0618
            var mount = Assert.Single(redis.Annotations.OfType<ContainerMountAnnotation>());

            // At run time Aspire keeps the server's words apart and joins them into one shell command when it starts the container.
            var command = string.Join(' ', arguments);
            Assert.StartsWith("redis-server --requirepass", command, StringComparison.Ordinal);
            Assert.EndsWith("--appendonly yes --appendfsync always", command, StringComparison.Ordinal);
            Assert.Equal((Path.Combine(dataRoot, "redis"), "/data"), (mount.Source, mount.Target));
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }
}
