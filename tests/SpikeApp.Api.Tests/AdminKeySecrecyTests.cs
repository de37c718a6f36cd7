using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>The admin key, buyer tokens and signing keys must never reach a log line or a span, whether right or a guess.</summary>
[Collection(SharedRedis.Name)]
public sealed class AdminKeySecrecyTests(RedisServerFixture redis) : IDisposable
{
    private const string WrongKey = "guessed-key-9f8e7d6c5b4a";
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private ActivityListener? _listener;

    [Fact]
    public async Task TheAdminKeyAppearsInNoLogAndNoSpan()
    {
        await using var host = WatchedHost();
        var client = await host.StartAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var key in new[] { ApiHost.AdminKey, WrongKey })
        {
            statuses.Add((await HttpContractTests.ResetAsync(client, host.SaleId, total: 5, key)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Unauthorized], statuses);
        Assert.NotEmpty(_logs.Lines);
        Assert.Contains(_spans, span => span.Kind == ActivityKind.Server && span.DisplayName.Contains("PUT", StringComparison.Ordinal));
        foreach (var secret in new[] { ApiHost.AdminKey, WrongKey })
        {
            Assert.DoesNotContain(_logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(_spans, span => SpanText(span).Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task BuyerTokensAndSigningKeysAppearInNoLogAndNoSpan()
    {
        await using var host = WatchedHost();
        var client = await host.StartAsync();
        var forged = new SpikeApp.Buyers.BuyerTokenMinter(
            new SpikeApp.Buyers.BuyerSigningKey("forged", SpikeApp.Buyers.BuyerAuthentication.DevIssuer,
                new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48))),
            SpikeApp.Buyers.BuyerAuthentication.DevAudience).Mint("alice", TimeSpan.FromMinutes(5));

        using var bought = await client.BuyAsAsync(host.SaleId, "alice");
        using var refused = new HttpRequestMessage(HttpMethod.Post, $"/api/sales/{host.SaleId}/purchases") { Headers = { Authorization = new("Bearer", forged) } };
        using var refusal = await client.SendAsync(refused);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Unauthorized), (bought.StatusCode, refusal.StatusCode));
        Assert.NotEmpty(_logs.Lines);
        var token = TestBuyers.TokenFor("alice");
        // A token's signature is what a thief needs; its header and payload are no secret.
        foreach (var secret in new[] { TestBuyers.SigningKey, token, token.Split('.')[2], forged, forged.Split('.')[2] })
        {
            Assert.DoesNotContain(_logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(_spans, span => SpanText(span).Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>A host whose every log line (Trace level: all a misconfigured production might log) and span this test keeps.</summary>
    private ApiHost WatchedHost()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        return new ApiHost(redis, total: 3, logs: _logs, settings: new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        });
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _logs.Dispose();
    }

    private static string SpanText(Activity span) => string.Join('\n',
        new[] { span.DisplayName, span.OperationName, span.StatusDescription ?? "" }
            .Concat(span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"))
            .Concat(span.Baggage.Select(item => $"{item.Key}={item.Value}"))
            .Concat(span.Events.SelectMany(e => e.Tags.Select(tag => $"{e.Name} {tag.Key}={tag.Value}"))));
}
