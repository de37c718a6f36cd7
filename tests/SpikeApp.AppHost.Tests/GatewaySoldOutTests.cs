using System.Text.Json;
using Xunit.Abstractions;

namespace SpikeApp.AppHost.Tests;

/// <summary>
/// The gateway answers a "sold out" Redis confirmed itself for a moment (the replicas offer it to shared caches), so the
/// flood after a sale ends stays at the front door; stock that comes back must still be sold through it.
/// </summary>
[Collection(OneAppHostAtATime.Name)]
public class GatewaySoldOutTests(ITestOutputHelper output)
{
    private const int Replicas = 3, Total = 200, Concurrency = 50;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan PaymentWindow = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task SeedBuyersThroughTheGatewayBuyEveryExpiredUnitAgain()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var cancellationToken = timeout.Token;
        await using var app = await SpikeAppHost.StartAsync(Replicas, Total, bufferRatio: 0.2, cancellationToken,
            $"Spike:PaymentWindow={PaymentWindow:c}");
        using var redis = await SpikeAppHost.ConnectRedisAsync(app, cancellationToken);
        using var gateway = app.CreateHttpClient(SpikeAppHost.Gateway);

        // Nobody pays: every unit sold now expires after the window and goes back on sale.
        var firstRound = await SeedBuyAsync(gateway, requests: 4 * Total, cancellationToken);
        var expiredBy = DateTime.UtcNow + PaymentWindow + TimeSpan.FromSeconds(2);

        // Buyers keep coming, most of them told "sold out" by the gateway, until the returned stock is sold again.
        var secondRound = new SeedAnswers();
        var deadline = DateTime.UtcNow + PaymentWindow + TimeSpan.FromSeconds(20);
        while (secondRound.Sold < Total && DateTime.UtcNow < deadline)
        {
            secondRound.Add(await SeedBuyAsync(gateway, requests: Concurrency, cancellationToken));
            await Task.Delay(100, cancellationToken);
        }

        var db = redis.GetDatabase();
        output.WriteLine($"First round: {firstRound}; second round: {secondRound}; expiry due by {expiredBy:HH:mm:ss.fff}, last sale at {secondRound.LastSoldAt:HH:mm:ss.fff}");
        Assert.Equal(Total, firstRound.Sold);
        Assert.True(firstRound.AnsweredByGateway > 0, $"First round: {firstRound}");
        Assert.Equal(Total, secondRound.Sold);
        Assert.Equal(2 * Total, await db.HashLengthAsync("spike:{default}:orders"));
        Assert.InRange((long)await db.HashGetAsync("spike:{default}:sale", "sold"), 0, Total);
    }

    private static async Task<SeedAnswers> SeedBuyAsync(HttpClient gateway, int requests, CancellationToken cancellationToken)
    {
        var answers = new SeedAnswers();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (_, token) =>
            {
                using var response = await gateway.GetAsync("/buy/skill", token);
                response.EnsureSuccessStatusCode();
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
                answers.Add(sold: body.RootElement.GetProperty("code").GetInt32() == 1, answeredByGateway: response.Headers.Age is not null);
            });
        return answers;
    }

    /// <summary>Seed answers counted: units sold, and "sold out"s the gateway gave from what it stored (they carry <c>Age</c>).</summary>
    private sealed class SeedAnswers
    {
        private int _sold, _soldOut, _answeredByGateway;

        public int Sold => _sold;

        public int AnsweredByGateway => _answeredByGateway;

        public DateTime LastSoldAt { get; private set; }

        public void Add(bool sold, bool answeredByGateway)
        {
            if (sold)
            {
                Interlocked.Increment(ref _sold);
                LastSoldAt = DateTime.UtcNow;
            }
            else
            {
                Interlocked.Increment(ref _soldOut);
            }

            if (answeredByGateway)
            {
                Interlocked.Increment(ref _answeredByGateway);
            }
        }

        public void Add(SeedAnswers other)
        {
            _sold += other._sold;
            _soldOut += other._soldOut;
            _answeredByGateway += other._answeredByGateway;
            if (other.LastSoldAt > LastSoldAt)
            {
                LastSoldAt = other.LastSoldAt;
            }
        }

        public override string ToString() => $"{_sold} sold, {_soldOut} sold out ({_answeredByGateway} answered by the gateway)";
    }
}
