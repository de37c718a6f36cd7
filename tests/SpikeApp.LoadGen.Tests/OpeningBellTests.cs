using System.Globalization;
using System.Text.Json;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Load;
using SpikeApp.Testing;

namespace SpikeApp.LoadGen.Tests;

/// <summary>--wait-open against a real replica process on a real Redis: a sale scheduled to open a few seconds ahead.</summary>
public class OpeningBellTests
{
    private const string AdminKey = "loadgen-admin-key-0123456789abcdef";
    private const string SaleId = "bell";
    private const int Total = 20;

    [Fact]
    public async Task WaitOpenSellsExactlyTheTotalAndNothingBeforeTheOpening()
    {
        await using var redis = new RedisServerProcess();
        await redis.StartAsync();
        using var replica = await ApiReplica.StartAsync("bell-1", new Dictionary<string, string>(TestBuyers.Environment)
        {
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Spike__DefaultSale__Id"] = "default",
            ["Spike__DefaultSale__Total"] = "10",
            ["Spike__AdminKey"] = AdminKey,
        });
        // Replicas never create a sale: the test creates the default one, which the replica waits for to be ready, as an operator would.
        await PutSaleAsync(replica, "default", """{"total":10}""");
        await replica.WaitForAsync("/health", TimeSpan.FromSeconds(30));

        var opensAt = DateTimeOffset.UtcNow.AddSeconds(4);
        await PutSaleAsync(replica, SaleId, $$"""{"total":{{Total}},"opensAt":"{{opensAt.ToString("O", CultureInfo.InvariantCulture)}}"}""");
        var json = Path.Combine(Path.GetTempPath(), $"spikeapp-bell-{Guid.NewGuid():N}.json");
        var options = new LoadGenOptions { Url = replica.Client.BaseAddress, Sale = SaleId, Requests = 60, Concurrency = 10, WaitOpen = true, JsonPath = json };
        using var output = new StringWriter();
        try
        {
            var exitCode = await new LoadTest(options, new LoadRunner(replica.Client, options), new SaleReader(replica.Client), TestBuyers.Minter)
                .RunAsync(output, CancellationToken.None);
            Assert.True(exitCode == 0, output.ToString());
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = report.RootElement;
            var opening = root.GetProperty("opening");

            Assert.Equal((Total, 60 - Total), (root.GetProperty("run").GetProperty("outcomes").GetProperty("success").GetInt32(),
                root.GetProperty("run").GetProperty("outcomes").GetProperty("soldOut").GetInt32()));
            Assert.Equal((10, 0), (opening.GetProperty("connected").GetInt32(), opening.GetProperty("notOpenAfterOpening").GetInt32()));
            var firstSale = Assert.Single(opening.GetProperty("replicas").EnumerateArray());
            Assert.Equal("bell-1", firstSale.GetProperty("replicaId").GetString());
            Assert.True(firstSale.GetProperty("firstSaleAt").GetDateTimeOffset() >= opensAt.AddTicks(-(opensAt.Ticks % TimeSpan.TicksPerMillisecond)),
                $"the first sale {firstSale.GetProperty("firstSaleAt")} came before {opensAt:O}");
            Assert.InRange(opening.GetProperty("firstSaleSeconds").GetDouble(), 0, 5);
            var checks = root.GetProperty("invariants").GetProperty("results").EnumerateArray()
                .ToDictionary(check => check.GetProperty("name").GetString()!, check => check.GetProperty("status").GetString());
            Assert.Equal(("Passed", "Passed"), (checks[InvariantChecker.NoSaleBeforeOpening], checks[InvariantChecker.NoneTurnedAwayAfterOpening]));
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <summary>An operator's PUT: the admin key, no If-Match (the sale is new).</summary>
    private static async Task PutSaleAsync(ApiReplica replica, string saleId, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/sales/{saleId}") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await replica.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT /api/sales/{saleId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
