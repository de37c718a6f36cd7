using System.Collections.Concurrent;
using System.Net.Http.Json;
using SpikeApp.Contracts.Buy;
using SpikeApp.Contracts.Sales;
using Xunit.Abstractions;

namespace SpikeApp.AppHost.Tests;

/// <summary>
/// The gateway may share a replica's "not open" as it shares "sold out", but never past the opening, and an operator's
/// change of the schedule drops it: the crowd waiting at the front door buys the moment Redis opens the sale.
/// </summary>
[Collection(OneAppHostAtATime.Name)]
public class GatewayOpeningTests(ITestOutputHelper output)
{
    private const int Replicas = 3, Total = 200, Concurrency = 24;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(4);

    /// <summary>Each replica's reading of Redis' clock is off by at most its sync's round trip on loopback.</summary>
    private static readonly TimeSpan ClockReading = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task TheGatewaySharesNotOpenOnlyUntilTheOpeningAndAnOperatorsChangeDropsIt()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var cancellationToken = timeout.Token;
        // As long as a replica offers it (a second): only the opening itself and the operator's change may end it sooner.
        await using var app = await SpikeAppHost.StartAsync(Replicas, Total, bufferRatio: 0.2, cancellationToken, "Gateway:MaxSharedAnswerAge=00:00:01");
        using var redis = await SpikeAppHost.ConnectRedisAsync(app, cancellationToken);
        using var gateway = app.CreateHttpClient(SpikeAppHost.Gateway);
        using var admin = app.CreateHttpClient(SpikeAppHost.Gateway, "admin");
        var server = redis.GetServer(redis.GetEndPoints()[0]);

        // An operator's change drops what the gateway shares: a sale scheduled far ahead, then opened at once.
        await ScheduleAsync(admin, opensAt: DateTimeOffset.UtcNow.AddMinutes(10), cancellationToken);
        var farAhead = await SeedBuyAsync(gateway, 10, cancellationToken);
        await ScheduleAsync(admin, opensAt: null, cancellationToken);
        var changed = System.Diagnostics.Stopwatch.StartNew();
        // The write dropped what the gateway stored: the next request reaches a replica.
        var firstAfterChange = Assert.Single(await SeedBuyAsync(gateway, 1, cancellationToken));
        // The replica that took the change knows it at once, the others a moment later (the change message); one that
        // answered before hearing of it makes the gateway repeat that for at most a second.
        // Asked until one unit sells (the first answer may already have sold it), so the round sells exactly one.
        for (var body = firstAfterChange.Body; body != SeedMessages.SoldBody; body = await gateway.GetStringAsync("/buy/skill", cancellationToken))
        {
            Assert.True(changed.Elapsed < TimeSpan.FromSeconds(3), "The gateway still answers 'not open' after the operator opened the sale.");
            await Task.Delay(20, cancellationToken);
        }

        Assert.False(firstAfterChange.Shared, "The first answer after the operator's change came from what the gateway had stored.");

        output.WriteLine($"Sold through the gateway {changed.Elapsed.TotalMilliseconds:0} ms after the operator opened the sale");
        Assert.All(farAhead, answer => Assert.Equal(SeedMessages.NotOpenBody, answer.Body));
        Assert.Contains(farAhead, answer => answer.Shared);

        // The crowd at the front door from before the bell until after it.
        var opensAt = new DateTimeOffset(await server.TimeAsync(), TimeSpan.Zero).AddSeconds(4);
        await ScheduleAsync(admin, opensAt, cancellationToken);
        var answers = new ConcurrentBag<SeedAnswer>();
        var until = opensAt.AddSeconds(3);
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (DateTimeOffset.UtcNow < until)
            {
                foreach (var answer in await SeedBuyAsync(gateway, 1, cancellationToken))
                {
                    answers.Add(answer);
                }

                await Task.Delay(5, cancellationToken);
            }
        }));

        var lateNotOpen = answers.Where(answer => answer.Body == SeedMessages.NotOpenBody && answer.SentAt > opensAt + ClockReading).ToList();
        var sharedBefore = answers.Count(answer => answer.Body == SeedMessages.NotOpenBody && answer.Shared);
        var sold = answers.Count(answer => answer.Body == SeedMessages.SoldBody);
        output.WriteLine($"{answers.Count} answers: {sharedBefore} shared 'not open' before the opening, {sold} sold, {lateNotOpen.Count} 'not open' sent after it "
            + $"(latest {lateNotOpen.Select(answer => (answer.SentAt - opensAt).TotalMilliseconds).DefaultIfEmpty().Max():0} ms after)");
        Assert.Empty(lateNotOpen);
        Assert.True(sharedBefore > 0, "The gateway never shared a 'not open'.");
        Assert.True(sold > 0, "Nothing was sold after the opening.");
        var createdAt = (await redis.GetDatabase().HashValuesAsync("spike:{default}:orders"))
            .Select(record => long.Parse(record.ToString().Split('|')[2], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        // The first round sold one unit (the check after the operator's change); every unit of this round after the bell.
        Assert.Equal(sold + 1, createdAt.Count);
        Assert.Equal(sold, createdAt.Count(at => at >= opensAt.ToUnixTimeMilliseconds()));
    }

    private static async Task ScheduleAsync(HttpClient admin, DateTimeOffset? opensAt, CancellationToken cancellationToken)
    {
        using var current = await admin.GetAsync("/api/sales/default", cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/sales/default") { Content = JsonContent.Create(new SaleDefinition(Total, opensAt)) };
        request.Headers.Add("X-Admin-Key", SpikeAppHost.AdminKey);
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        using var response = await admin.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<List<SeedAnswer>> SeedBuyAsync(HttpClient gateway, int requests, CancellationToken cancellationToken)
    {
        var answers = new List<SeedAnswer>();
        for (var request = 0; request < requests; request++)
        {
            var sentAt = DateTimeOffset.UtcNow;
            using var response = await gateway.GetAsync("/buy/skill", cancellationToken);
            response.EnsureSuccessStatusCode();
            answers.Add(new SeedAnswer(sentAt, await response.Content.ReadAsStringAsync(cancellationToken), Shared: response.Headers.Age is not null));
        }

        return answers;
    }

    /// <param name="Shared">Answered by the gateway from what it stored (it carries <c>Age</c>).</param>
    private sealed record SeedAnswer(DateTimeOffset SentAt, string Body, bool Shared);
}
