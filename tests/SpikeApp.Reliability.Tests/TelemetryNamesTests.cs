using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SpikeApp.Testing;

namespace SpikeApp.Reliability.Tests;

[Collection(nameof(FaultTests))]
public class TelemetryNamesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The order processor's spans and instruments while it stores pending, paid and expired orders and expires one,
    /// against <c>Golden/telemetry-names.txt</c>. The processor runs in this process; a replica process sells.
    /// </summary>
    [Fact]
    public async Task SpansAndInstrumentsKeepTheirNames()
    {
        await using var cluster = await SpikeCluster.StartAsync(replicas: 1, total: 5, bufferRatio: 0,
            settings: new Dictionary<string, string> { ["Spike__PaymentWindow"] = "00:00:01" });
        await using var postgres = new PostgresServerProcess();
        await postgres.StartAsync();
        await using var processor = new OrdersHost(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = cluster.Redis.ConnectionString,
            ["ConnectionStrings:ordersdb"] = postgres.ConnectionString,
            ["Orders:ExpiryInterval"] = "00:00:00.100",
            ["Orders:ClaimAfter"] = "00:00:00.200",
        });
        var meters = processor.Services.GetRequiredService<IMeterFactory>();
        using var names = new TelemetryNames(instrumentFilter: instrument => instrument.Meter.Scope == meters);
        using var timeout = new CancellationTokenSource(Timeout);
        await WaitUntilHealthyAsync(processor.CreateClient(), timeout.Token);

        var replica = cluster.Replicas[0];
        var paid = await SpikeCluster.BuyAsync(replica, "alice", timeout.Token);
        (await replica.Client.PostAsJsonAsync($"/api/sales/{SpikeCluster.SaleId}/orders/{paid.OrderId}/payment",
            new { userId = "alice", paymentReference = "pay-1" }, timeout.Token)).EnsureSuccessStatusCode();
        // Left unpaid: the processor expires it after the payment window.
        Assert.Equal(HttpStatusCode.Created, (await SpikeCluster.BuyAsync(replica, "bob", timeout.Token)).Status);

        await names.WaitForAsync(Timeout, "order.persist", "order.expire", "spike.orders.persisted", "spike.orders.expired",
            "spike.orders.persist.duration", "spike.orders.stream.lag");
        GoldenFiles.AssertMatches("telemetry-names", names.Describe());
    }

    /// <summary>Healthy once the processor has migrated the orders schema.</summary>
    private static async Task WaitUntilHealthyAsync(HttpClient client, CancellationToken cancellationToken)
    {
        while ((await client.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}
