using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>The redis-server the API tests share: xUnit starts it before the first test of <see cref="SharedRedis"/> and removes it after the last.</summary>
public sealed class RedisServerFixture : RedisServerProcess, IAsyncLifetime
{
    public Task InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
