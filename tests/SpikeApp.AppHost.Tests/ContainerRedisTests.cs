using Aspire.Hosting.ApplicationModel;

namespace SpikeApp.AppHost.Tests;

/// <summary>
/// Container mode cannot start here (no container engine), but the model the AppHost builds for it can be read: it must
/// give the container the durability local mode has.
/// </summary>
public class ContainerRedisTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ContainerRedisKeepsAnAppendOnlyFileFsyncedOnEveryWrite()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var dataRoot = Directory.CreateTempSubdirectory("spikeapp-container-test-").FullName;
        try
        {
            await using var appHost = await ContainerModeAppHost.CreateAsync(dataRoot, timeout.Token);
            var redis = Assert.Single(appHost.Resources.OfType<RedisResource>());

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
