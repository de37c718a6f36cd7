using SpikeApp.Store;

namespace SpikeApp.Orders.Tests;

[Collection(InProcessProcessors.Name)]
public class TelemetryNamesTests
{
    private const string SaleId = "telemetry-names";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The order processor's spans and instruments (SpikeApp.Orders, and SpikeApp.Store's Redis calls) while its ledger
    /// check creates the default sale, it stores pending, paid and expired orders and expires one, against
    /// <c>Golden/telemetry-names.txt</c>. The test sells as a replica does, through the same store.
    /// </summary>
    [Fact]
    public async Task SpansAndInstrumentsKeepTheirNames()
    {
        await using var redis = new RedisServerProcess();
        await redis.StartAsync();
        await using var postgres = new PostgresServerProcess();
        await postgres.StartAsync();
        // Listening before the processor starts: its first ledger check is what creates the sale.
        using var names = new TelemetryNames();
        await using var processor = new OrdersHost(redis, postgres, new Dictionary<string, string?>
        {
            ["Spike:DefaultSale:Id"] = SaleId,
            ["Spike:DefaultSale:Total"] = "5",
            ["Orders:ExpiryInterval"] = "00:00:00.100",
            ["Orders:ClaimAfter"] = "00:00:00.200",
        });
        using var client = await processor.StartAsync();
        using var timeout = new CancellationTokenSource(Timeout);

        var store = new RedisSaleStore(redis.Connection, Timeout);
        var sale = await WaitForSaleAsync(store, timeout.Token);
        var paid = await store.DeductAsync(SaleId, sale.Epoch, "alice", "replica-test", TimeSpan.FromMinutes(1));
        Assert.Equal(DeductionStatus.Created, paid.Status);
        Assert.Equal(PaymentStatus.Paid, (await store.PayAsync(SaleId, paid.OrderId!, "alice", "pay-1")).Status);
        // Left unpaid: the processor expires it after the payment window.
        Assert.Equal(DeductionStatus.Created, (await store.DeductAsync(SaleId, sale.Epoch, "bob", "replica-test", TimeSpan.FromSeconds(1))).Status);

        await names.WaitForAsync(Timeout, "ledger.check", "order.persist", "order.expire", "spike.ledger.checks", "spike.orders.persisted",
            "spike.orders.expired", "spike.orders.persist.duration", "spike.orders.stream.lag");
        GoldenFiles.AssertMatches("telemetry-names", names.Describe());
    }

    /// <summary>The sale once the processor's ledger check has created it and opened it (loaded its scripts).</summary>
    private static async Task<SaleState> WaitForSaleAsync(RedisSaleStore store, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await store.GetAsync(SaleId) is { } sale && await store.IsOpenAsync(SaleId))
            {
                return sale;
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
