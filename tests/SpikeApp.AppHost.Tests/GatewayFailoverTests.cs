using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using SpikeApp.Contracts.Problems;
using SpikeApp.Testing;
using Xunit.Abstractions;

namespace SpikeApp.AppHost.Tests;

[Collection(OneAppHostAtATime.Name)]
public class GatewayFailoverTests(ITestOutputHelper output)
{
    private const int Replicas = 3, Total = 900, Buyers = 6000, Concurrency = 32;
    private const string SaleId = "default";

    [Fact]
    public async Task AReplicaKilledUnderLoadCostsBuyersAt503sAndTheSaleStaysExact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var cancellationToken = timeout.Token;
        await using var app = await SpikeAppHost.StartAsync(Replicas, Total, bufferRatio: 0.2, cancellationToken);
        using var redis = await SpikeAppHost.ConnectRedisAsync(app, cancellationToken);
        using var gateway = app.CreateHttpClient(SpikeAppHost.Gateway);
        var victim = SpikeAppHost.ReplicaNames(Replicas).First();
        using var victimProcess = await ReplicaProcessAsync(app, victim, cancellationToken);
        var answers = new ConcurrentBag<Answer>();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var killed = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, Buyers), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (buyer, token) =>
            {
                var answer = await BuyAsync(gateway, $"buyer-{buyer}", token);
                answers.Add(answer);
                if (answer.Status == HttpStatusCode.Created)
                {
                    acknowledged[answer.UserId] = answer.OrderId!;
                    if (acknowledged.Count >= Total / 3 && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        victimProcess.Kill();
                    }
                }
            });

        // A buyer told 503 retries with the same token: they learn the order the dead replica may have made, or buy now. A
        // survivor that already knows the sale is sold out answers 409 without asking Redis, so the buyer then asks
        // for the order they may hold.
        foreach (var unavailable in answers.Where(answer => answer.Status == HttpStatusCode.ServiceUnavailable).ToList())
        {
            var retry = await BuyAsync(gateway, unavailable.UserId, cancellationToken);
            Assert.True(retry.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Conflict, $"{retry.UserId} on retry: {retry.Status}");
            var orderId = retry.OrderId ?? await OrderOfBuyerAsync(gateway, unavailable.UserId, cancellationToken);
            if (orderId is not null)
            {
                acknowledged[retry.UserId] = orderId;
            }
        }

        // The dead replica's unsold share goes to a survivor when its slice runs dry and it refills from Redis (at the
        // latest once the dead replica no longer counts as alive): buyers who keep coming buy the last units.
        var db = redis.GetDatabase();
        var lateBuyers = 0;
        var lastChance = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while ((long)await db.HashGetAsync($"spike:{{{SaleId}}}:sale", "sold") < Total && Stopwatch.GetTimestamp() < lastChance)
        {
            var late = await BuyAsync(gateway, $"late-{lateBuyers++}", cancellationToken);
            answers.Add(late);
            if (late.Status == HttpStatusCode.Created)
            {
                acknowledged[late.UserId] = late.OrderId!;
            }
            else
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        var byStatus = answers.GroupBy(answer => answer.Status).ToDictionary(group => group.Key, group => group.Count());
        var soldByVictim = (long)await db.HashGetAsync($"spike:{{{SaleId}}}:sold-by-replica", victim);
        output.WriteLine($"Answers: {string.Join(", ", byStatus.OrderBy(entry => entry.Key).Select(entry => $"{(int)entry.Key}: {entry.Value}"))}; {victim} sold {soldByVictim} before it was killed; {lateBuyers} late buyers");
        Assert.Equal(1, killed);
        Assert.Empty(byStatus.Keys.Except([HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.ServiceUnavailable]));
        Assert.All(answers.Where(answer => answer.Status == HttpStatusCode.ServiceUnavailable),
            answer => Assert.Equal(TimeSpan.FromSeconds(1), answer.RetryAfter));
        // Only requests already inside the victim when it died may fail; after that the gateway routes around it. A
        // survivor whose slice ran dry while Redis still had stock tells its buyer to retry (refill-pending): no failure.
        var failed = answers.Count(answer => answer.Status == HttpStatusCode.ServiceUnavailable && answer.ProblemType != ProblemTypes.RefillPending);
        output.WriteLine($"503: {failed} failed with the victim, {byStatus.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) - failed} refill-pending");
        Assert.InRange(failed, 0, Concurrency);
        Assert.InRange(soldByVictim, 1, Total - 1);

        Assert.Equal(Total, (long)await db.HashGetAsync($"spike:{{{SaleId}}}:sale", "sold"));
        Assert.Equal(Total, await db.HashLengthAsync($"spike:{{{SaleId}}}:buyers"));
        Assert.Equal(Total, await db.HashLengthAsync($"spike:{{{SaleId}}}:orders"));
        Assert.Equal(Total, await SpikeAppHost.WaitForOrdersInPostgresAsync(app, SaleId, Total, cancellationToken));
        Assert.Equal(Total, acknowledged.Count);
        foreach (var (userId, orderId) in acknowledged)
        {
            Assert.Equal(orderId, (string?)await db.HashGetAsync($"spike:{{{SaleId}}}:buyers", userId));
        }
    }

    /// <summary>
    /// The replica's own process, for a SIGKILL (<see cref="Process.Kill()"/>): Aspire starts a project under
    /// <c>dotnet run</c>, whose pid the resource shows, and the replica is that process' child.
    /// </summary>
    private static async Task<Process> ReplicaProcessAsync(DistributedApplication app, string resourceName, CancellationToken cancellationToken)
    {
        var running = await app.ResourceNotifications.WaitForResourceAsync(resourceName,
            update => update.Snapshot.Properties.Any(property => property.Name == "executable.pid" && property.Value is not null), cancellationToken);
        var launcher = Convert.ToInt32(running.Snapshot.Properties.First(property => property.Name == "executable.pid").Value, CultureInfo.InvariantCulture);
        var children = File.ReadAllText($"/proc/{launcher}/task/{launcher}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var replica = Process.GetProcessById(int.Parse(Assert.Single(children), CultureInfo.InvariantCulture));
        Assert.Equal("SpikeApp.Api", replica.ProcessName);
        return replica;
    }

    private static async Task<Answer> BuyAsync(HttpClient gateway, string userId, CancellationToken cancellationToken)
    {
        using var response = await gateway.BuyAsAsync(SaleId, userId, cancellationToken);
        string? orderId = null, problemType = null;
        var content = await response.Content.ReadAsStringAsync(cancellationToken);
        using var body = JsonDocument.Parse(content.Length > 0 ? content : "{}");
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            orderId = body.RootElement.GetProperty("orderId").GetString();
        }
        else if (body.RootElement.TryGetProperty("type", out var type))
        {
            problemType = type.GetString();
        }

        return new Answer(userId, response.StatusCode, orderId, response.Headers.RetryAfter?.Delta, problemType);
    }

    /// <summary>The order a buyer holds, or null (404): how a buyer settles a purchase whose answer was lost.</summary>
    private static async Task<string?> OrderOfBuyerAsync(HttpClient gateway, string userId, CancellationToken cancellationToken)
    {
        using var response = await gateway.GetMyOrderAsync(SaleId, userId, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("orderId").GetString();
    }

    private sealed record Answer(string UserId, HttpStatusCode Status, string? OrderId, TimeSpan? RetryAfter, string? ProblemType);
}
