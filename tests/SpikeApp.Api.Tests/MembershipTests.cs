using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpikeApp.Contracts.Sales;
using SpikeApp.Store;
using SpikeApp.Testing;

namespace SpikeApp.Api.Tests;

/// <summary>A replica sizes its slices among the replicas Redis knows for the sale, joins before it sizes, and leaves when it stops.</summary>
[Collection(SharedRedis.Name)]
public class MembershipTests(RedisServerFixture redis)
{
    [Fact]
    public async Task TheFirstSliceIsTheShareAmongTheMembersRedisKnows()
    {
        await using var host = new ApiHost(redis, total: 100, replicas: 4, bufferRatio: 0.2);
        var client = await host.StartAsync();

        var sale = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{host.SaleId}");

        // 100 / 4 × 1.2: the three others count because Redis holds them, not because a setting says so.
        Assert.Equal(30, sale!.Replica.Slice);
        Assert.Equal(["other-replica-1", "other-replica-2", "other-replica-3", "replica-test"], await SaleMembers.OfAsync(redis.Connection.GetDatabase(), host.SaleId));
    }

    [Fact]
    public async Task ASaleFirstSeenByAReadHasNoSliceUntilAPurchaseJoinsIt()
    {
        await using var host = new ApiHost(redis, total: 1);
        var otherSale = host.SaleId + "-other";
        await new RedisSaleStore(redis.Connection, TimeSpan.FromSeconds(5)).BeginAsync(otherSale, total: 5, expectedEpoch: null);
        await SaleMembers.JoinAsync(redis.Connection.GetDatabase(), otherSale, 1);
        var client = await host.StartAsync();

        var read = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{otherSale}");
        using var bought = await HttpContractTests.BuyAsync(client, otherSale, "alice");
        var joined = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{otherSale}");

        Assert.Equal((0L, 0), (read!.Replica.Slice, read.Replica.SliceRemaining));
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        // The purchase's sync joined the sale and counted two members: 5 / 2, rounded up.
        Assert.Equal((3L, 2, 1L), (joined!.Replica.Slice, joined.Replica.SliceRemaining, joined.Replica.SoldHere));
        Assert.Equal(["other-replica-1", "replica-test"], await SaleMembers.OfAsync(redis.Connection.GetDatabase(), otherSale));
    }

    [Fact]
    public async Task TheReplicaThatBeganASaleSizesItsFirstSliceAtItsNextSyncBeforeAnyPurchase()
    {
        await using var host = new ApiHost(redis, total: 1, settings: new Dictionary<string, string?> { ["Spike:ReconcileInterval"] = "00:00:00.200" });
        var client = await host.StartAsync();
        var saleId = "s-" + Guid.NewGuid().ToString("N")[..12];
        await SaleMembers.JoinAsync(redis.Connection.GetDatabase(), saleId, 1);

        using var create = HttpContractTests.ResetRequest(saleId, total: 9, ApiHost.AdminKey);
        using var created = await client.SendAsync(create);
        var sized = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{saleId}");
        for (var deadline = DateTime.UtcNow.AddSeconds(10); sized!.Replica.Slice == 0 && DateTime.UtcNow < deadline; )
        {
            await Task.Delay(50);
            sized = await client.GetFromJsonAsync<SaleResponse>($"/api/sales/{saleId}");
        }

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        // It began the sale before it had joined it, so with no slice; the sync that joined it (its own change message's,
        // or the next reconcile's) counted two members: 9 / 2, rounded up, ready for the first buyer without a refill.
        Assert.Equal((5L, 5, 0L, 0L), (sized.Replica.Slice, sized.Replica.SliceRemaining, sized.Replica.SoldHere, sized.Sold));
    }

    [Fact]
    public async Task AStoppingReplicaIsUnreadyButAliveClosesItsConnectionsAndLeaves()
    {
        // Long enough to ask it three things while it drains.
        var host = new ApiHost(redis, total: 5, settings: new Dictionary<string, string?> { ["Spike:Shutdown:Drain"] = "00:00:02" });
        var client = await host.StartAsync();
        var database = redis.Connection.GetDatabase();
        Assert.Equal(["replica-test"], await SaleMembers.OfAsync(database, host.SaleId));

        // What SIGTERM does: the host begins to stop.
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        using var health = await client.GetAsync("/health");
        using var alive = await client.GetAsync("/alive");
        using var bought = await HttpContractTests.BuyAsync(client, host.SaleId, "alice");
        await host.DisposeAsync();
        var members = await SaleMembers.OfAsync(database, host.SaleId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        Assert.True(bought.Headers.ConnectionClose, "A draining replica kept the connection open.");
        Assert.Empty(members);
    }
}
