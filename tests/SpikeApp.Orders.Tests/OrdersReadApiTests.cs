using System.Net;
using System.Text.Json;
using Npgsql;

namespace SpikeApp.Orders.Tests;

/// <summary>
/// The order processor's read API (<c>/api/orders</c>), the processor in this process over a real Redis and PostgreSQL,
/// with rows written straight into the table it migrated, so each answer is known exactly.
/// </summary>
[Collection(InProcessProcessors.Name)]
public class OrdersReadApiTests(OrdersReadApiTests.StoredOrders orders) : IClassFixture<OrdersReadApiTests.StoredOrders>
{
    [Fact]
    public async Task TheSummaryCountsTheSalesOrdersByStatus() =>
        Assert.Equal("""{"saleId":"s1","pending":2,"paid":1,"expired":1,"voided":0,"total":4}""", await orders.GetAsync("/api/orders/s1/summary", HttpStatusCode.OK));

    [Fact]
    public async Task ASaleWithoutStoredOrdersCountsZero() =>
        Assert.Equal("""{"saleId":"nothing-yet","pending":0,"paid":0,"expired":0,"voided":0,"total":0}""",
            await orders.GetAsync("/api/orders/nothing-yet/summary", HttpStatusCode.OK));

    [Fact]
    public async Task AnOrderIsAnsweredAsStored() =>
        Assert.Equal(
            """{"orderId":"o-paid","saleId":"s1","userId":"u3","replicaId":"api-1","status":"paid","createdAt":"2026-11-27T18:00:00+00:00","expiresAt":"2026-11-27T18:15:00+00:00","paidAt":"2026-11-27T18:01:30.25+00:00","paymentReference":"pay-3","epoch":1795802400000000}""",
            await orders.GetAsync("/api/orders/s1/o-paid", HttpStatusCode.OK));

    [Fact]
    public async Task APendingOrderHasNoPayment() =>
        Assert.Equal(
            """{"orderId":"o-pending-1","saleId":"s1","userId":"u1","replicaId":"api-2","status":"pending","createdAt":"2026-11-27T18:00:00+00:00","expiresAt":"2026-11-27T18:15:00+00:00","paidAt":null,"paymentReference":null,"epoch":1795802400000000}""",
            await orders.GetAsync("/api/orders/s1/o-pending-1", HttpStatusCode.OK));

    [Theory]
    [InlineData("/api/orders/s1/o-unknown")]
    [InlineData("/api/orders/s2/o-paid")] // stored, but of another sale
    public async Task AnOrderNotStoredIsNoOrder(string path)
    {
        using var problem = JsonDocument.Parse(await orders.GetAsync(path, HttpStatusCode.NotFound, "application/problem+json"));

        Assert.Equal("urn:spikeapp:problem:no-order", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/api/orders/a.b/summary", "saleId")]
    [InlineData("/api/orders/a%20b/o-paid", "saleId")]
    [InlineData("/api/orders/s1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "orderId")]
    public async Task AnIdOutsideTheAlphabetIsInvalidInput(string path, string invalid)
    {
        using var problem = JsonDocument.Parse(await orders.GetAsync(path, HttpStatusCode.BadRequest, "application/problem+json"));

        Assert.Equal("urn:spikeapp:problem:invalid-input", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal([invalid], problem.RootElement.GetProperty("errors").EnumerateObject().Select(error => error.Name));
    }

    [Theory]
    [InlineData("orders-summary", "/api/orders/s1/summary")]
    [InlineData("orders-summary-empty", "/api/orders/nothing-yet/summary")]
    [InlineData("orders-pending", "/api/orders/s1/o-pending-1")]
    [InlineData("orders-paid", "/api/orders/s1/o-paid")]
    [InlineData("orders-expired", "/api/orders/s1/o-expired")]
    [InlineData("orders-no-order", "/api/orders/s2/o-paid")]
    [InlineData("orders-invalid-sale-id", "/api/orders/a%20b/o-paid")]
    [InlineData("orders-invalid-order-id", "/api/orders/s1/a.b")]
    [InlineData("orders-summary-invalid-sale-id", "/api/orders/a.b/summary")]
    [InlineData("orders-unknown-route", "/api/nothing-here")]
    public async Task AnswersMatchTheirGoldenFiles(string golden, string path)
    {
        using var response = await orders.Client.GetAsync(new Uri(path, UriKind.Relative));

        await GoldenFiles.AssertMatchesAsync(golden, response);
    }

    [Fact]
    public async Task WhilePostgresIsDownTheAnswerIsUnavailable()
    {
        // Its own servers and processor: the other tests' stored orders stay reachable.
        await using var redis = new RedisServerProcess();
        await redis.StartAsync();
        await using var postgres = new PostgresServerProcess();
        await postgres.StartAsync();
        await using var processor = new OrdersHost(redis, postgres);
        using var client = await processor.StartAsync();

        postgres.Kill();
        using var response = await client.GetAsync(new Uri("/api/orders/s1/o-paid", UriKind.Relative));

        await GoldenFiles.AssertMatchesAsync("orders-unavailable", response);
    }

    /// <summary>Redis, PostgreSQL and one order processor; five orders stored once the processor has migrated the schema.</summary>
    public sealed class StoredOrders : IAsyncLifetime, IAsyncDisposable
    {
        // Sold by the sale's first incarnation, whose epoch is also the round's.
        private const string Insert = """
            INSERT INTO orders (order_id, sale_id, user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference, epoch, round) VALUES
            ('o-pending-1', 's1', 'u1', 'api-2', 'pending', '2026-11-27T18:00:00Z', '2026-11-27T18:15:00Z', NULL, NULL, 1795802400000000, 1795802400000000),
            ('o-pending-2', 's1', 'u2', 'api-1', 'pending', '2026-11-27T18:00:01Z', '2026-11-27T18:15:01Z', NULL, NULL, 1795802400000000, 1795802400000000),
            ('o-paid', 's1', 'u3', 'api-1', 'paid', '2026-11-27T18:00:00Z', '2026-11-27T18:15:00Z', '2026-11-27T18:01:30.25Z', 'pay-3', 1795802400000000, 1795802400000000),
            ('o-expired', 's1', 'u4', 'api-2', 'expired', '2026-11-27T18:00:00Z', '2026-11-27T18:15:00Z', NULL, NULL, 1795802400000000, 1795802400000000),
            ('o-other-sale', 's2', 'u1', 'api-1', 'paid', '2026-11-27T18:00:00Z', '2026-11-27T18:15:00Z', '2026-11-27T18:02:00Z', 'pay-9', 1795802400000000, 1795802400000000)
            """;

        private readonly RedisServerProcess _redis = new();
        private readonly PostgresServerProcess _postgres = new();
        private OrdersHost? _processor;
        private HttpClient? _client;

        public async Task InitializeAsync()
        {
            await _redis.StartAsync();
            await _postgres.StartAsync();
            _processor = new OrdersHost(_redis, _postgres);
            _client = await _processor.StartAsync();

            await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(Insert, connection);
            await insert.ExecuteNonQueryAsync();
        }

        public HttpClient Client => _client!;

        /// <summary>The body, after checking the status code and the media type.</summary>
        public async Task<string> GetAsync(string path, HttpStatusCode status, string mediaType = "application/json")
        {
            using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"GET {path}: {(int)response.StatusCode} {body}");
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            return body;
        }

        Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

        public async ValueTask DisposeAsync()
        {
            _client?.Dispose();
            if (_processor is not null)
            {
                await _processor.DisposeAsync();
            }

            await _postgres.DisposeAsync();
            await _redis.DisposeAsync();
        }
    }
}
