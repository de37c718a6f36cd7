namespace SpikeApp.Hosting.Tests;

/// <summary>
/// One test AppHost (local Redis and PostgreSQL) that xUnit starts once for a test class whose tests only inspect it,
/// and stops after the last of them.
/// </summary>
public sealed class LocalServersFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _app = await LocalServersAppHost.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
