using StackExchange.Redis;

namespace SpikeApp.AppHost.Tests;

[Collection(OneAppHostAtATime.Name)]
public class LocalRedisTests
{
    [Fact]
    public async Task LocalRedisListensOnLoopbackOnlyRequiresItsPasswordAndFsyncsEveryWrite()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var app = await SpikeAppHost.StartAsync(replicas: 1, total: 10, bufferRatio: 0, timeout.Token);
        var connectionString = await app.GetConnectionStringAsync("redis", timeout.Token);
        var options = ConfigurationOptions.Parse(connectionString!);
        var endpoint = Assert.IsType<System.Net.IPEndPoint>(Assert.Single(options.EndPoints));

        using var redis = await SpikeAppHost.ConnectRedisAsync(app, timeout.Token);
        var server = redis.GetServer(endpoint);
        var settings = (await server.ConfigGetAsync("*")).ToDictionary(setting => setting.Key, setting => setting.Value);

        Assert.Equal(System.Net.IPAddress.Loopback, endpoint.Address);
        Assert.Equal("127.0.0.1", settings["bind"]);
        Assert.Equal("yes", settings["appendonly"]);
        Assert.Equal("always", settings["appendfsync"]);
        Assert.True(options.Password is { Length: >= 32 }, "The generated password is too short.");

        var withoutPassword = ConfigurationOptions.Parse($"127.0.0.1:{endpoint.Port}");
        withoutPassword.AbortOnConnectFail = false;
        withoutPassword.ConnectTimeout = 2000;
        withoutPassword.AsyncTimeout = 2000;
        using var anonymous = await ConnectionMultiplexer.ConnectAsync(withoutPassword);
        await Assert.ThrowsAnyAsync<RedisException>(() => anonymous.GetDatabase().StringGetAsync("spike:{default}:sale"));
    }
}
