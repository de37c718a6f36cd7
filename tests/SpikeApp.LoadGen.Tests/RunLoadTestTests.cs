using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using SpikeApp.Buyers;
using SpikeApp.LoadGen.Extensions;
using SpikeApp.Testing;

namespace SpikeApp.LoadGen.Tests;

/// <summary>The load test as the program runs it: a host built by <c>AddLoadGen</c>, its signing key from configuration.</summary>
public class RunLoadTestTests
{
    private const string SaleId = "s1";

    [Fact]
    public async Task ApiModeWithoutASigningKeyExitsWithTwoBeforeSendingAnything()
    {
        var shop = new StubShop(SaleId, stock: 3);
        await using var api = await StubApi.StartAsync(shop.Map);

        var run = await RunAsync(Options(api), settings: []);

        Assert.Equal((ExitCodes.Usage, ""), (run.ExitCode, run.Output));
        Assert.Equal(
            "--mode api buys as buyers with tokens signed by the key the API trusts. "
            + "No signing key for issuer 'spikeapp-dev' under Authentication:Schemes:Bearer:SigningKeys. "
            + "Set Authentication:Schemes:Bearer:SigningKeys:spikeapp-dev:Value and its :Issuer as the API has them (the AppHost passes both), or use --mode seed."
            + Environment.NewLine,
            run.Error);
        Assert.Empty(shop.StatusesByUser());
    }

    [Fact]
    public async Task AKeyTooShortToSignWithIsNamed()
    {
        var run = await RunAsync(new LoadGenOptions { Url = new Uri("http://127.0.0.1:1/"), Requests = 1, Concurrency = 1 },
            BuyerAuthentication.DevSettings(Convert.ToBase64String(new byte[16])));

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Signing key 'spikeapp-dev' has 16 bytes; HS256 needs at least 32.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeedModeNeedsNoKey()
    {
        await using var api = await StubApi.StartAsync(app =>
        {
            app.MapGet("/api/sales/{saleId}", () => Results.NotFound());
            app.MapGet("/buy/skill", () => Results.Text("""{"code":-1,"msg":"已售罄"}""", "application/json"));
        });
        var options = Options(api);
        options.Mode = LoadMode.Seed;

        var run = await RunAsync(options, settings: []);

        Assert.Equal("", run.Error);
        Assert.DoesNotContain("Minted", run.Output, StringComparison.Ordinal);
        Assert.Contains("Sending 4 requests to ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiModeBuysWithTokensSignedByTheConfiguredKeyValidForTheRunsBound()
    {
        var shop = new StubShop(SaleId, stock: 3);
        var lifetimes = new ConcurrentBag<TimeSpan>();
        await using var api = await StubApi.StartAsync(app =>
        {
            app.Use((context, next) =>
            {
                if (context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
                {
                    var token = new JsonWebToken(authorization["Bearer ".Length..]);
                    lifetimes.Add(token.ValidTo - token.IssuedAt);
                }

                return next(context);
            });
            shop.Map(app);
        });
        var options = Options(api);
        options.Duration = TimeSpan.FromSeconds(30);
        options.Timeout = TimeSpan.FromSeconds(2);
        options.Settle = TimeSpan.FromSeconds(1);
        options.Warmup = 2;

        var run = await RunAsync(options, TestBuyers.Settings);

        Assert.Equal(("", ExitCodes.Success), (run.Error, run.ExitCode));
        Assert.Empty(shop.Refused);
        Assert.Equal(1, shop.ForeignReads);
        Assert.Contains("Minted a token for each of 6 buyers.", run.Output, StringComparison.Ordinal);

        // Two phases of 30 s, each with a purchase and a payment of 2 s still in flight, the settle, then up to 2 min of checks.
        Assert.Equal([TimeSpan.FromSeconds(2 * (30 + 2 * 2) + 1 + 120)], lifetimes.Distinct());
    }

    private static LoadGenOptions Options(StubApi api) => new() { Url = api.Client.BaseAddress, Sale = SaleId, Requests = 4, Concurrency = 2 };

    private static async Task<HostRun> RunAsync(LoadGenOptions options, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(setting => KeyValuePair.Create<string, string?>(setting.Key, setting.Value)));
        builder.AddLoadGen(options);
        using var host = builder.Build();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await host.RunLoadTestAsync(output, error);

        return new HostRun(exitCode, output.ToString(), error.ToString());
    }

    private sealed record HostRun(int ExitCode, string Output, string Error);
}
