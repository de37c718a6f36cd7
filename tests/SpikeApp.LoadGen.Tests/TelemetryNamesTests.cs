using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.Testing;

namespace SpikeApp.LoadGen.Tests;

public class TelemetryNamesTests
{
    private const string SaleId = "telemetry-names";

    /// <summary>
    /// The load generator's spans over a whole run that buys, pays and lets orders expire, against
    /// <c>Golden/telemetry-names.txt</c>. Other tests use the same source at the same time: only this run's sale counts.
    /// </summary>
    [Fact]
    public async Task SpansAndInstrumentsKeepTheirNames()
    {
        using var names = new TelemetryNames(spanFilter: span => SaleId.Equals(span.GetTagItem("spike.sale")));
        var shop = new StubShop(SaleId, stock: 3, paymentWindow: 2);
        await using var api = await StubApi.StartAsync(shop.Map);
        var options = new LoadGenOptions
        {
            Url = api.Client.BaseAddress, OrdersUrl = api.Client.BaseAddress, Sale = SaleId, Requests = 12, Concurrency = 1, PayRatio = 0.3,
        };

        await new LoadTest(options, new LoadRunner(api.Client, options), new SaleReader(api.Client, new StoredOrdersClient(api.Client)), TestBuyers.Minter)
            .RunAsync(TextWriter.Null, CancellationToken.None);

        GoldenFiles.AssertMatches("telemetry-names", names.Describe());
    }
}
