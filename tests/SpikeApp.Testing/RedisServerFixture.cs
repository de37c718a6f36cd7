using Xunit;

namespace SpikeApp.Testing;

/// <summary>A redis-server a test collection shares: xUnit starts it before the collection's first test and removes it after the last.</summary>
public sealed class RedisServerFixture : RedisServerProcess, IAsyncLifetime
{
    public Task InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
