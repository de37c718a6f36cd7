using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;

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
            "  PASS  paid == sold - pending              Redis sold +3, 0 of them pending: 3 paid; payments acknowledged 3",
            "  PASS  one live order per buyer            5 buyers, none holding two pending or paid orders",
            "  PASS  paid orders in PostgreSQL once      3 paid orders in PostgreSQL, each paid (summary paid 0 -> 3)",
            "  PASS  expired stock sold again            5 successes for 3 units; 2 orders expired 1 s or more before the last buyer was turned away"),
            run.Output, StringComparison.Ordinal);
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
        var options = new LoadGenOptions
        {
            Url = api.Client.BaseAddress, OrdersUrl = api.Client.BaseAddress, Sale = SaleId, Requests = 12, Concurrency = 1, PayRatio = 0.3,
            Settle = TimeSpan.FromMilliseconds(100),
        };
        using var output = new StringWriter();

        var exitCode = await new LoadTest(options, new LoadRunner(api.Client, options), new SaleReader(api.Client, new StoredOrdersClient(api.Client)))
            .RunAsync(output, CancellationToken.None);

        return new LoadTestRun(exitCode, output.ToString(), shop);
    }

    private static string Block(params string[] lines) => string.Join(Environment.NewLine, lines);

    private sealed record LoadTestRun(int ExitCode, string Output, StubShop Shop);
}
