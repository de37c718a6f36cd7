using System.Net;
using StackExchange.Redis;

namespace SpikeApp.Hosting.Tests;

/// <summary>The redis-server the AppHost runs in local mode is locked down as production needs it.</summary>
[Collection(OneAppHostAtATime.Name)]
public class LocalRedisTests(LocalServersFixture appHost) : IClassFixture<LocalServersFixture>
{
    [Fact]
    public async Task LocalRedisListensOnLoopbackOnly()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        var (_, endpoint) = await RedisConnectionAsync(timeout.Token);

        var settings = await RedisSettingsAsync(endpoint, timeout.Token);

        Assert.Equal(IPAddress.Loopback, endpoint.Address);
        Assert.Equal("127.0.0.1", settings["bind"]);
    }

    [Fact]
    public async Task LocalRedisRequiresItsGeneratedPassword()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        var (options, endpoint) = await RedisConnectionAsync(timeout.Token);

        var withoutPassword = ConfigurationOptions.Parse($"127.0.0.1:{endpoint.Port}");
        withoutPassword.AbortOnConnectFail = false;
        withoutPassword.ConnectTimeout = 2000;
        withoutPassword.AsyncTimeout = 2000;
        using var anonymous = await ConnectionMultiplexer.ConnectAsync(withoutPassword);

        Assert.True(options.Password is { Length: >= 32 }, "The generated password is too short.");
        await Assert.ThrowsAnyAsync<RedisException>(() => anonymous.GetDatabase().StringGetAsync("spike:{default}:sale"));
    }

    [Fact]
    public async Task LocalRedisFsyncsEveryWrite()
    {
        using var timeout = new CancellationTokenSource(LocalServersAppHost.DefaultTimeout);
        var (_, endpoint) = await RedisConnectionAsync(timeout.Token);

        var settings = await RedisSettingsAsync(endpoint, timeout.Token);

        Assert.Equal("yes", settings["appendonly"]);
        Assert.Equal("always", settings["appendfsync"]);
    }

    /// <summary>The connection string the AppHost hands the API, and the one endpoint it names.</summary>
    private async Task<(ConfigurationOptions Options, IPEndPoint Endpoint)> RedisConnectionAsync(CancellationToken cancellationToken)
    {
        var connectionString = await appHost.App.GetConnectionStringAsync("redis", cancellationToken);
        var options = ConfigurationOptions.Parse(connectionString!);
        return (options, Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints)));
    }

    private async Task<Dictionary<string, string>> RedisSettingsAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var redis = await LocalServersAppHost.ConnectRedisAsync(appHost.App, cancellationToken);
        return (await redis.GetServer(endpoint).ConfigGetAsync("*")).ToDictionary(setting => setting.Key, setting => setting.Value);
    }
}
