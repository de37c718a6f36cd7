using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// Replicas share a sale by the membership Redis keeps, never by a setting: they join and leave a sale under way — a
/// scale-up, a scale-down by SIGTERM, a pod restarted under a new name — and the sale still ends exact.
/// </summary>
[Collection(nameof(FaultTests))]
public class MembershipTests(ITestOutputHelper output)
{
    private const int Concurrency = 16;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Kubernetes' endpoints notice an unready pod within a probe period; this balancer within this.</summary>
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(1500), GracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>A drain several probe intervals long, so no buyer meets a closed listener, within a short grace period.</summary>
    private static readonly Dictionary<string, string> Shutdown = new()
    {
        ["Spike__Shutdown__Drain"] = Drain.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["Spike__Shutdown__Timeout"] = GracePeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task ScalingFromThreeToFiveToTwoReplicasMidSaleSellsExactlyTheTotal()
    {
        const int total = 1200;
        await using var cluster = await SpikeCluster.StartAsync(replicas: 3, total, bufferRatio: 0.2, settings: Shutdown);
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var balancer = new ReadinessBalancer(cluster, ProbeInterval);
        var crowd = new Crowd();

        await crowd.BuyRetryingAsync(Crowd.Buyers("three", total / 4), balancer.Pick, Concurrency, timeout.Token);
        Assert.Equal(["replica-0", "replica-1", "replica-2"], await cluster.MembersAsync());

        // One at a time, so each joins a membership it can count: three others, then four.
        var fourth = await cluster.StartReplicaAsync("replica-3");
        var fifth = await cluster.StartReplicaAsync("replica-4");
        var remaining = total - await cluster.SoldAsync();
        Assert.Equal(total / 4 * 3, remaining);
        Assert.Equal(cluster.SliceFor(remaining, members: 4), await SliceAsync(fourth, timeout.Token));
        Assert.Equal(cluster.SliceFor(remaining, members: 5), await SliceAsync(fifth, timeout.Token));
        Assert.Equal(["replica-0", "replica-1", "replica-2", "replica-3", "replica-4"], await cluster.MembersAsync());

        await crowd.BuyRetryingAsync(Crowd.Buyers("five", total / 4), balancer.Pick, Concurrency, timeout.Token);
        var soldByReplica = await SoldByReplicaAsync(cluster);
        Assert.True(soldByReplica.GetValueOrDefault("replica-3") > 0 && soldByReplica.GetValueOrDefault("replica-4") > 0,
            $"The replicas added mid-sale sold nothing: {string.Join(", ", soldByReplica)}");

        // Down to two while buyers keep coming, as kubectl scale does: SIGTERM to three replicas, one of them added late.
        var leaving = new[] { cluster.Replicas[0], cluster.Replicas[1], fourth };
        var rest = crowd.BuyRetryingAsync(Crowd.Buyers("two", 2 * total), balancer.Pick, Concurrency, timeout.Token);
        while (crowd.Acknowledged.Count < total * 3 / 4)
        {
            await Task.Delay(10, timeout.Token);
        }

        await Task.WhenAll(leaving.Select(replica => replica.TerminateAsync()));
        var exitCodes = await Task.WhenAll(leaving.Select(replica => replica.WaitForExitAsync(timeout.Token)));
        var members = await cluster.MembersAsync();
        await rest;

        output.WriteLine($"3 -> 5 -> 2: sold {await cluster.SoldAsync()} of {total}; answers {crowd.Describe()}; by replica {string.Join(", ", await SoldByReplicaAsync(cluster))}");
        Assert.Equal([0, 0, 0], exitCodes);
        // Each left on its way out: none waits out its presence's time-to-live.
        Assert.Equal(["replica-2", "replica-4"], members);
        Assert.Empty(crowd.UnexpectedAnswers);
        Assert.Equal(total, await cluster.SoldAsync());
        Assert.Equal(total, crowd.Acknowledged.Count);
        await cluster.AssertInvariantsAsync(crowd.Acknowledged);
    }

    [Fact]
    public async Task ASigtermedReplicaUnderLoadDrainsLeavesAndExitsWithinItsGracePeriodAndNoBuyerSeesAnError()
    {
        // Far more stock than the buyers of the test: any answer but 201 would be the shutdown's doing.
        const int total = 200_000;
        await using var cluster = await SpikeCluster.StartAsync(replicas: 3, total, bufferRatio: 0.2, settings: Shutdown);
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var balancer = new ReadinessBalancer(cluster, ProbeInterval);
        var victim = cluster.Replicas[0];
        var crowd = new Crowd();
        var signalledAt = 0L;
        var sentAfterTheSignal = 0;
        var loadOn = true;

        // Buyers keep coming until the replica is gone and a moment after.
        var buyers = Crowd.Buyers("buyer", total).TakeWhile(_ => Volatile.Read(ref loadOn));
        var load = crowd.BuyAsync(buyers, index =>
        {
            var replica = balancer.Pick(index);
            if (replica == victim && Volatile.Read(ref signalledAt) != 0)
            {
                Interlocked.Increment(ref sentAfterTheSignal);
            }

            return replica;
        }, Concurrency, timeout.Token);
        while (crowd.Acknowledged.Count < 1000)
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.Contains(victim.ReplicaId, await cluster.MembersAsync());
        await victim.TerminateAsync();
        Volatile.Write(ref signalledAt, Stopwatch.GetTimestamp());
        var unready = await TimeSinceAsync(signalledAt, async () => !await IsReadyAsync(victim, timeout.Token), timeout.Token);
        using var alive = await victim.Client.GetAsync("/alive", timeout.Token);
        var left = await TimeSinceAsync(signalledAt, async () => !(await cluster.MembersAsync()).Contains(victim.ReplicaId), timeout.Token);
        var exitCode = await victim.WaitForExitAsync(timeout.Token);
        var exited = Stopwatch.GetElapsedTime(signalledAt);
        var answeredAtExit = crowd.Answers.Values.Sum();
        await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
        Volatile.Write(ref loadOn, false);
        await load;
        var answeredAfterExit = crowd.Answers.Values.Sum() - answeredAtExit;

        output.WriteLine($"SIGTERM under load: unready after {Ms(unready)}, left the membership after {Ms(left)}, exited ({exitCode}) after {Ms(exited)}; " +
            $"{sentAfterTheSignal} purchases sent to it after the signal, {answeredAfterExit} answered by the others after it exited; answers {crowd.Describe()}");
        Assert.InRange(unready, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        // It served what the balancer still sent it until it noticed, then left after the drain and exited on its own.
        Assert.True(sentAfterTheSignal > 0, "No purchase reached the replica after its SIGTERM: its drain was not tested.");
        Assert.True(answeredAfterExit > 0, "The load ended before the replica exited: it was not stopped under load.");
        Assert.InRange(left, Drain, Drain + TimeSpan.FromSeconds(2));
        Assert.Equal(0, exitCode);
        Assert.InRange(exited, left, GracePeriod);
        Assert.Equal(["201"], crowd.Answers.Keys);
        Assert.Equal(crowd.Answers["201"], crowd.Acknowledged.Count);
        Assert.Equal(crowd.Acknowledged.Count, await cluster.SoldAsync());
        await cluster.AssertInvariantsAsync(crowd.Acknowledged);
    }

    [Fact]
    public async Task AReplicaRestartedUnderANewIdSellsAndItsOldIdAgesOut()
    {
        const int total = 600;
        await using var cluster = await SpikeCluster.StartAsync(replicas: 2, total, bufferRatio: 0.2);
        using var timeout = new CancellationTokenSource(TestTimeout);
        var crowd = new Crowd();
        await crowd.BuyRetryingAsync(Crowd.Buyers("before", total / 3), buyer => cluster.Replicas[buyer % 2], Concurrency, timeout.Token);
        var crashed = cluster.Replicas[1];
        var soldByCrashed = (await SoldByReplicaAsync(cluster))[crashed.ReplicaId];

        // A pod killed and rescheduled: it never left, and it comes back under another name.
        crashed.Kill();
        var killedAt = Stopwatch.GetTimestamp();
        // The successor starts meanwhile: how soon it is ready (its warm-up included) is no part of the old id's ageing.
        var starting = cluster.StartReplicaAsync("replica-1-rescheduled");
        var agedOut = await TimeSinceAsync(killedAt, async () => !(await cluster.MembersAsync()).Contains(crashed.ReplicaId), timeout.Token);
        var successor = await starting;
        await TimeSinceAsync(killedAt, async () => (await cluster.MembersAsync()).SequenceEqual(["replica-0", "replica-1-rescheduled"]), timeout.Token);
        var survivors = new[] { cluster.Replicas[0], successor };
        await crowd.BuyRetryingAsync(Crowd.Buyers("after", 2 * total), buyer => survivors[buyer % 2], Concurrency, timeout.Token);

        var soldByReplica = await SoldByReplicaAsync(cluster);
        output.WriteLine($"Restarted under a new id: the old id aged out {Ms(agedOut)} after the kill; sold {await cluster.SoldAsync()} of {total}; " +
            $"by replica {string.Join(", ", soldByReplica)}; answers {crowd.Describe()}");
        // Silent for the presence's time-to-live (three reconcile intervals of 2 s), gone at the next sync after.
        Assert.InRange(agedOut, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(6 + 2 + 1));
        Assert.Equal(soldByCrashed, soldByReplica[crashed.ReplicaId]);
        Assert.True(soldByReplica.GetValueOrDefault(successor.ReplicaId) > 0, "The replica under its new id sold nothing.");
        Assert.Empty(crowd.UnexpectedAnswers);
        Assert.Equal(total, await cluster.SoldAsync());
        Assert.Equal(total, crowd.Acknowledged.Count);
        await cluster.AssertInvariantsAsync(crowd.Acknowledged);
    }

    private static async Task<long> SliceAsync(ApiProcess replica, CancellationToken cancellationToken) =>
        (await replica.Client.GetFromJsonAsync<JsonElement>($"/api/sales/{SpikeCluster.SaleId}", cancellationToken)).GetProperty("replica").GetProperty("slice").GetInt64();

    private static async Task<Dictionary<string, long>> SoldByReplicaAsync(SpikeCluster cluster) =>
        (await cluster.Redis.Database.HashGetAllAsync(SpikeCluster.Key("sold-by-replica"))).ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value);

    private static async Task<bool> IsReadyAsync(ApiProcess replica, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await replica.Client.GetAsync("/health", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 20 ms; how long after <paramref name="since"/> it first held.</summary>
    private static async Task<TimeSpan> TimeSinceAsync(long since, Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            await Task.Delay(20, cancellationToken);
        }

        return Stopwatch.GetElapsedTime(since);
    }

    private static string Ms(TimeSpan elapsed) => $"{elapsed.TotalMilliseconds:0} ms";
}
