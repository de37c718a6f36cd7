using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpikeApp.Testing;

namespace SpikeApp.AppHost.Tests;

[Collection(OneAppHostAtATime.Name)]
public class ResetSaleCommandTests
{
    private const int Replicas = 2, Total = 100;

    [Fact]
    public async Task AfterTheResetSaleCommandEveryReplicaSellsASoldOutSaleAgain()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var cancellationToken = timeout.Token;
        await using var app = await SpikeAppHost.StartAsync(Replicas, Total, bufferRatio: 0.2, cancellationToken);
        using var redis = await SpikeAppHost.ConnectRedisAsync(app, cancellationToken);
        var db = redis.GetDatabase();
        var firstRun = await BuyAsync(app, "first", buyers: 3 * Total, cancellationToken);
        Assert.True(firstRun.GetValueOrDefault(HttpStatusCode.Created) == Total, $"Answers: {string.Join(", ", firstRun)}");
        var epoch = (long)await db.HashGetAsync("spike:{default}:sale", "epoch");

        // The public URL has no admin route, even with the right key and epoch: the gateway answers 404 itself.
        using var publicUrl = app.CreateHttpClient(SpikeAppHost.Gateway);
        using var publicReset = new HttpRequestMessage(HttpMethod.Put, "/api/sales/default") { Content = JsonContent.Create(new { total = Total }) };
        publicReset.Headers.Add("X-Admin-Key", SpikeAppHost.AdminKey);
        publicReset.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"{epoch}\""));
        using var refused = await publicUrl.SendAsync(publicReset, cancellationToken);
        using var publicHealth = await publicUrl.GetAsync("/health", cancellationToken);
        var epochAfterRefusal = (long)await db.HashGetAsync("spike:{default}:sale", "epoch");

        // The dashboard's "Reset sale" command (it sends the admin key itself); every replica knew the sale was sold out.
        var reset = await app.ResourceCommands.ExecuteCommandAsync(SpikeAppHost.Gateway, "reset-sale", cancellationToken);
        var secondRun = await BuyAsync(app, "second", buyers: 3 * Total, cancellationToken);

        var sale = (await db.HashGetAllAsync("spike:{default}:sale")).ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value);
        var soldByReplica = (await db.HashGetAllAsync("spike:{default}:sold-by-replica")).ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value);
        Assert.Equal((HttpStatusCode.NotFound, "urn:spikeapp:problem:not-found"), (refused.StatusCode, await ProblemTypeAsync(refused, cancellationToken)));
        Assert.Equal(HttpStatusCode.NotFound, publicHealth.StatusCode);
        Assert.Equal(epoch, epochAfterRefusal);
        Assert.True(reset.Success, reset.Message);
        Assert.True(secondRun.GetValueOrDefault(HttpStatusCode.Created) == Total, $"Answers after the reset: {string.Join(", ", secondRun)}");
        Assert.Equal((Total, Total), (sale["total"], sale["sold"]));
        Assert.True(sale["epoch"] > epoch, $"Epoch {sale["epoch"]} after a reset of epoch {epoch}.");
        Assert.Equal(Replicas, soldByReplica.Count(entry => entry.Value > 0));

        // "Reset sale, opening in 30 s": a new round nobody may buy from until its opening, on any replica.
        var scheduled = await app.ResourceCommands.ExecuteCommandAsync(SpikeAppHost.Gateway, "schedule-opening", cancellationToken);
        var early = await BuyAsync(app, "early", buyers: 20, cancellationToken);
        var opensAt = (long)await db.HashGetAsync("spike:{default}:sale", "opensAt");
        Assert.True(scheduled.Success, scheduled.Message);
        Assert.Equal(20, early.GetValueOrDefault(HttpStatusCode.Conflict));
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(opensAt) - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        Assert.Equal(0, (long)await db.HashGetAsync("spike:{default}:sale", "sold"));
    }

    private static async Task<string?> ProblemTypeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return problem.RootElement.GetProperty("type").GetString();
    }

    /// <summary>Distinct buyers, each with its token, through the gateway, which spreads each request over the replicas.</summary>
    private static async Task<Dictionary<HttpStatusCode, int>> BuyAsync(DistributedApplication app, string prefix, int buyers, CancellationToken cancellationToken)
    {
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        using var api = app.CreateHttpClient(SpikeAppHost.Gateway);
        await Parallel.ForEachAsync(Enumerable.Range(0, buyers), new ParallelOptions { MaxDegreeOfParallelism = 20, CancellationToken = cancellationToken },
            async (buyer, token) =>
            {
                using var response = await api.BuyAsAsync("default", $"{prefix}-{buyer}", token);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
            });

        return new Dictionary<HttpStatusCode, int>(statuses);
    }
}
