using System.Collections.Concurrent;
using System.Diagnostics;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.Testing;

namespace SpikeApp.LoadGen.Tests;

public class LoadTestTests
{
    private const string SaleId = "s1";

    [Fact]
    public async Task APayingRunWithExpiriesPassesEveryInvariant()
    {
        var run = await RunAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(Block(
            "Payments (3 of 5 new orders; the rest abandoned)",
            "  paid                          3",
            "  refused: expired              0",
            "  other errors                  0",
            "",
            "Settled 0.1 s before the checks"), run.Output, StringComparison.Ordinal);
        Assert.Contains(Block(
            "  PASS  sale readable                       total 3, sold 3, epoch 1",
            "  PASS  sold <= total                       Redis sold 3 of 3",
            "  PASS  successes <= total                  5 successes seen, 2 of their orders expired since, total 3",
            "  PASS  sold == successes seen              Redis sold 0 -> 3 (+3), successes seen 5 less 2 expired",
            "  PASS  one order id per user               5 buyers, each with one order id",
            "  PASS  orders fetchable, each its buyer's  5 orders fetched, each its buyer's",
            "  PASS  orders hidden from other buyers     lg-RUN-1's token on order o-1 of lg-RUN-0: 404 urn:spikeapp:problem:no-order, as for a missing order",
            "  PASS  paid == sold - pending              Redis sold +3, 0 of them pending: 3 paid; payments acknowledged 3",
            "  PASS  one live order per buyer            5 buyers, none holding two pending or paid orders",
            "  PASS  paid orders in PostgreSQL once      3 paid orders in PostgreSQL, each paid (summary paid 0 -> 3)",
            "  PASS  expired stock sold again            5 successes for 3 units; 2 orders expired 1 s or more before the last buyer was turned away"),
            run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuyersBuyPayAndReadTheirOrdersWithTokensNeverReported()
    {
        var tags = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is LoadGenTelemetry.ActivitySourceName or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                foreach (var tag in span.TagObjects)
                {
                    tags.Enqueue($"{tag.Key}={tag.Value}");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var run = await RunAsync();

        Assert.Empty(run.Shop.Refused);
        Assert.Equal(1, run.Shop.ForeignReads);
        Assert.Contains("Minted a token for each of 12 buyers.", run.Output, StringComparison.Ordinal);

        // Every JWT opens with the base64 of '{"': none may reach the report, on the console or in the file.
        Assert.DoesNotContain("eyJ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", run.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", run.Json, StringComparison.Ordinal);
        Assert.Contains(tags, tag => tag.StartsWith("spike.user=lg-", StringComparison.Ordinal));
        Assert.DoesNotContain(tags, tag => tag.Contains("eyJ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheBuyersWhoPaidAreTheOnesThePayRatioPicked()
    {
        var run = await RunAsync();

        // Buyers 1, 3, 4, 6 and 11 are picked at 0.3; 6 and 11 came after the last unit was held.
        Assert.Equal(
            [["expired"], ["paid"], ["expired"], ["paid"], ["paid"]],
            Enumerable.Range(0, 5).Select(buyer => run.Shop.StatusesByUser().Single(user => user.Key.EndsWith($"-{buyer}", StringComparison.Ordinal)).Value));
    }

    /// <summary>
    /// 12 buyers one at a time for 3 units, 3 in 10 paying, an unpaid order expiring 2 ticks (requests) after it was
    /// made: buyer 0's and buyer 2's units go back on sale and buyers 3 and 4 get them; buyers 5 to 11 find none left.
    /// </summary>
    private static async Task<LoadTestRun> RunAsync()
    {
        var shop = new StubShop(SaleId, stock: 3, paymentWindow: 2);
        await using var api = await StubApi.StartAsync(shop.Map);
        var json = Path.Combine(Path.GetTempPath(), $"spikeapp-loadtest-{Guid.NewGuid():N}.json");
        var options = new LoadGenOptions
        {
            Url = api.Client.BaseAddress, OrdersUrl = api.Client.BaseAddress, Sale = SaleId, Requests = 12, Concurrency = 1, PayRatio = 0.3,
            Settle = TimeSpan.FromMilliseconds(100), JsonPath = json,
        };
        using var output = new StringWriter();
        try
        {
            var exitCode = await new LoadTest(options, new LoadRunner(api.Client, options), new SaleReader(api.Client, new StoredOrdersClient(api.Client)), TestBuyers.Minter)
                .RunAsync(output, CancellationToken.None);

            // The run's buyer prefix is random: the report names it RUN.
            var runId = shop.StatusesByUser().Keys.First().Split('-')[1];
            return new LoadTestRun(exitCode, output.ToString().Replace(runId, "RUN", StringComparison.Ordinal), await File.ReadAllTextAsync(json), shop);
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static string Block(params string[] lines) => string.Join(Environment.NewLine, lines);

    private sealed record LoadTestRun(int ExitCode, string Output, string Json, StubShop Shop);
}
