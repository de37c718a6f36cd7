using Npgsql;
using SpikeApp.Contracts.Orders;
using SpikeApp.Orders.Persistence;
using SpikeApp.Store;

namespace SpikeApp.Orders.Tests;

/// <summary>
/// The ledger in a real PostgreSQL: <see cref="LedgerSchema"/> and <see cref="OrderLedger"/> over a data source of their
/// own, fed stream entries as the scripts write them (<see cref="SaleEntries"/>), in batches as the persister and the
/// ledger check store them. Each test has its own sales, so the tests share one migrated database.
/// </summary>
public sealed class OrderLedgerTests(LedgerDatabase database) : IClassFixture<LedgerDatabase>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly OrderLedger _ledger = new(database.DataSource);
    private readonly CancellationTokenSource _timeout = new(Timeout);

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task ProcessorsMigratingAnEmptyDatabaseAtOnceApplyEachStepOnce()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync("migrated_at_once", Token);
        var dataSources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            var schemas = dataSources.Select(dataSource => new LedgerSchema(dataSource)).ToList();

            await Task.WhenAll(schemas.Select(schema => Task.Run(() => schema.MigrateAsync(Token))));

            Assert.All(schemas, schema => Assert.True(schema.WhenMigrated.IsCompletedSuccessfully));
            Assert.Equal([1, 2, 3],
                await ReadAllAsync(dataSources[0], "SELECT version FROM schema_migrations ORDER BY version", reader => reader.GetInt32(0)));
            // The ledger works on what they built.
            var sale = new SaleEntries(NewSaleId());
            var begun = sale.Begin(IncarnationKind.Created);
            var created = sale.Created("alice");
            await new OrderLedger(dataSources[0]).StoreAsync([begun, created], Token);
            Assert.Equal(created.Order, await new OrderLedger(dataSources[1]).FindAsync(sale.SaleId, created.Order.OrderId, Token));
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AReplayedBatchChangesNothing()
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var (alice, bob, carol) = (sale.Created("alice"), sale.Created("bob"), sale.Created("carol"));
        var (paid, expired) = (sale.Paid(alice, "pay-1"), sale.Expired(bob));
        SaleEvent[] first = [begun, alice, bob, carol];
        SaleEvent[] second = [paid, expired];
        await StoreAsync(first);
        await StoreAsync(second);
        var stored = await SnapshotAsync(sale.SaleId);

        await StoreAsync(second);
        await StoreAsync(first);
        await StoreAsync([.. first, .. second]);

        Assert.Equal(stored, await SnapshotAsync(sale.SaleId));
        Assert.Equal([paid.Order, expired.Order, carol.Order], await _ledger.RoundOrdersAsync(sale.SaleId, sale.Round, Token));
        Assert.Equal(new SaleHistory(sale.Epoch, 6, sale.Round, 10), await _ledger.HistoryAsync(sale.SaleId, Token));
    }

    [Theory]
    [InlineData(OrderStatus.Paid)]
    [InlineData(OrderStatus.Expired)]
    public async Task ALateCreatedNeverTurnsADecidedOrderBackToPending(OrderStatus decided)
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var (alice, bob) = (sale.Created("alice"), sale.Created("bob"));
        var (aliceDecided, bobDecided) = (Decide(sale, alice, decided, "pay-1"), Decide(sale, bob, decided, "pay-2"));

        // The decision reaches the ledger first, the creation later (claimed from a consumer that died holding it).
        await StoreAsync([begun, aliceDecided]);
        await StoreAsync([alice]);
        // Both in one batch, the creation last.
        await StoreAsync([bobDecided, bob]);

        Assert.Equal([aliceDecided.Order, bobDecided.Order], await _ledger.RoundOrdersAsync(sale.SaleId, sale.Round, Token));
    }

    [Theory]
    [InlineData(OrderStatus.Pending)]
    [InlineData(OrderStatus.Paid)]
    public async Task PostgresRefusesASecondLiveOrderOfABuyerInARound(OrderStatus held)
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var first = sale.Created("alice");
        await StoreAsync(held == OrderStatus.Paid ? [begun, first, sale.Paid(first, "pay-1")] : [begun, first]);
        var stored = await SnapshotAsync(sale.SaleId);

        // Redis never sells a buyer twice in a round; should a second order reach the ledger, nothing of its batch does.
        var refused = await Assert.ThrowsAsync<PostgresException>(() => StoreAsync([sale.Created("bob"), sale.Created("alice")]));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        Assert.Equal("orders_one_live_per_buyer", refused.ConstraintName);
        Assert.Equal(stored, await SnapshotAsync(sale.SaleId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABuyersExpiredOrderAndTheirNextOrderInOneBatchAreBothStored(bool nextOrderFirstInBatch)
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var first = sale.Created("alice");
        await StoreAsync([begun, first]);
        var (expired, next) = (sale.Expired(first), sale.Created("alice"));

        // A batch is not always in stream order: claimed entries come after those read.
        await StoreAsync(nextOrderFirstInBatch ? [next, expired] : [expired, next]);

        Assert.Equal([expired.Order, next.Order], await _ledger.RoundOrdersAsync(sale.SaleId, sale.Round, Token));
    }

    [Fact]
    public async Task TheSameBuyerMayHoldAnOrderInAnotherRound()
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var first = sale.Created("alice");
        var paid = sale.Paid(first, "pay-1");
        await StoreAsync([begun, first, paid]);
        var firstRound = sale.Round;
        var reset = sale.Begin(IncarnationKind.Reset);
        var next = sale.Created("alice");

        await StoreAsync([reset, next]);

        Assert.Equal([paid.Order], await _ledger.RoundOrdersAsync(sale.SaleId, firstRound, Token));
        Assert.Equal([next.Order], await _ledger.RoundOrdersAsync(sale.SaleId, sale.Round, Token));
    }

    [Theory]
    [InlineData(IncarnationKind.Created)]
    [InlineData(IncarnationKind.Reset)]
    public async Task ANewRoundVoidsThePendingOrdersOfEarlierRoundsEvenThoseThatArriveAfterIt(IncarnationKind began)
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var (pending, bob, carol) = (sale.Created("alice"), sale.Created("bob"), sale.Created("carol"));
        var (paid, expired) = (sale.Paid(bob, "pay-1"), sale.Expired(carol));
        // Written before the new round began, stored after it: one left pending, one paid.
        var (late, erin) = (sale.Created("dave"), sale.Created("erin"));
        var latePaid = sale.Paid(erin, "pay-2");
        var firstRound = sale.Round;
        var other = new SaleEntries(NewSaleId());
        var otherBegun = other.Begin(IncarnationKind.Created);
        var otherPending = other.Created("alice");
        await StoreAsync([begun, pending, bob, carol, paid, expired]);
        await StoreAsync([otherBegun, otherPending]);

        var newRound = sale.Begin(began);
        var next = sale.Created("alice");
        await StoreAsync([newRound, next]);
        await StoreAsync([late]);
        await StoreAsync([erin, latePaid]);

        Assert.Equal(
            [
                pending.Order with { Status = OrderStatus.Voided }, paid.Order, expired.Order,
                late.Order with { Status = OrderStatus.Voided }, latePaid.Order,
            ],
            await _ledger.RoundOrdersAsync(sale.SaleId, firstRound, Token));
        Assert.Equal([next.Order], await _ledger.RoundOrdersAsync(sale.SaleId, sale.Round, Token));
        Assert.Equal(new OrdersSummary(sale.SaleId, Pending: 1, Paid: 2, Expired: 1, Voided: 2, Total: 6),
            await _ledger.SummarizeAsync(sale.SaleId, Token));
        Assert.Equal([otherPending.Order], await _ledger.RoundOrdersAsync(other.SaleId, other.Round, Token));
    }

    [Fact]
    public async Task ARestoredIncarnationVoidsNothing()
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var (alice, bob) = (sale.Created("alice"), sale.Created("bob"));
        await StoreAsync([begun, alice, bob]);

        // The same round, a new epoch: the orders restored into Redis go on.
        var restored = sale.Begin(IncarnationKind.Restored, sold: 2);
        var paid = sale.Paid(bob, "pay-1");
        await StoreAsync([restored, paid]);

        Assert.Equal([alice.Order, paid.Order], await _ledger.RoundOrdersAsync(sale.SaleId, sale.Round, Token));
    }

    [Fact]
    public async Task HistoryNamesTheLatestEpochItsLastSeqAndTheLatestRoundWhoseBeginningWasStored()
    {
        var sale = new SaleEntries(NewSaleId());
        Assert.Equal(SaleHistory.Unknown, await _ledger.HistoryAsync(sale.SaleId, Token));

        var begun = sale.Begin(IncarnationKind.Created, total: 10);
        var (alice, bob) = (sale.Created("alice"), sale.Created("bob"));
        var (firstEpoch, firstRound) = (sale.Epoch, sale.Round);
        await StoreAsync([begun, alice, bob]);
        Assert.Equal(new SaleHistory(firstEpoch, 3, firstRound, 10), await _ledger.HistoryAsync(sale.SaleId, Token));

        // A replay of older entries does not take the seq back.
        await StoreAsync([begun, alice]);
        Assert.Equal(new SaleHistory(firstEpoch, 3, firstRound, 10), await _ledger.HistoryAsync(sale.SaleId, Token));

        await StoreAsync([sale.Begin(IncarnationKind.Restored, total: 10, sold: 2), sale.Paid(alice, "pay-1")]);
        Assert.Equal(new SaleHistory(sale.Epoch, 2, firstRound, 10), await _ledger.HistoryAsync(sale.SaleId, Token));

        // A reset whose own entry reaches the ledger after the orders it sold: the round is the last one begun.
        var reset = sale.Begin(IncarnationKind.Reset, total: 20);
        await StoreAsync([sale.Created("carol"), sale.Created("dave")]);
        Assert.Equal(new SaleHistory(sale.Epoch, 3, firstRound, 10), await _ledger.HistoryAsync(sale.SaleId, Token));
        await StoreAsync([reset]);
        Assert.Equal(new SaleHistory(sale.Epoch, 3, sale.Round, 20), await _ledger.HistoryAsync(sale.SaleId, Token));
    }

    [Theory]
    [InlineData(19, 100, true)]
    [InlineData(20, 0, true)]
    [InlineData(20, 6, true)]
    [InlineData(20, 7, false)]
    [InlineData(20, 8, false)]
    [InlineData(21, 0, false)]
    public void TheLedgerIsAheadExactlyWhenRedisIsBehindIt(long redisEpoch, long redisSeq, bool ahead)
    {
        var history = new SaleHistory(LatestEpoch: 20, LastSeq: 7, Round: 10, Total: 5);

        Assert.Equal(ahead, history.IsAhead(new SaleState(Total: 5, Sold: 1, redisEpoch, Round: 10, redisSeq)));
    }

    [Fact]
    public void ALedgerThatSawNothingIsNeverAhead() =>
        Assert.False(SaleHistory.Unknown.IsAhead(new SaleState(Total: 5, Sold: 0, Epoch: 1, Round: 1, Seq: 0)));

    [Fact]
    public async Task RoundOrdersAreEveryOrderOfTheRoundAndNoneOfAnother()
    {
        var sale = new SaleEntries(NewSaleId());
        var begun = sale.Begin(IncarnationKind.Created);
        var (alice, bob, carol) = (sale.Created("alice"), sale.Created("bob"), sale.Created("carol"));
        var (paid, expired) = (sale.Paid(bob, "pay-1"), sale.Expired(carol));
        var firstRound = sale.Round;
        await StoreAsync([begun, alice, bob, carol, paid, expired]);
        await StoreAsync([sale.Begin(IncarnationKind.Reset), sale.Created("dave")]);
        // Another sale whose round has the same number.
        var other = new SaleEntries(NewSaleId());
        await StoreAsync([other.Begin(IncarnationKind.Created), other.Created("erin")]);
        Assert.Equal(firstRound, other.Round);

        Assert.Equal([alice.Order with { Status = OrderStatus.Voided }, paid.Order, expired.Order],
            await _ledger.RoundOrdersAsync(sale.SaleId, firstRound, Token));
    }

    public void Dispose() => _timeout.Dispose();

    private static string NewSaleId() => "s-" + Guid.NewGuid().ToString("N")[..12];

    private static OrderEvent Decide(SaleEntries sale, OrderEvent created, OrderStatus decided, string reference) =>
        decided == OrderStatus.Paid ? sale.Paid(created, reference) : sale.Expired(created);

    private Task StoreAsync(IReadOnlyCollection<SaleEvent> batch) => _ledger.StoreAsync(batch, Token);

    /// <summary>Every row the ledger holds of the sale, as text: its orders (all but <c>updated_at</c>), then its incarnations.</summary>
    private async Task<List<string>> SnapshotAsync(string saleId)
    {
        var orders = await ReadAllAsync(database.DataSource, """
            SELECT row(order_id, sale_id, user_id, replica_id, status, created_at, expires_at, paid_at, payment_reference, epoch, round)::text
            FROM orders WHERE sale_id = @sale_id ORDER BY order_id
            """, reader => reader.GetString(0), saleId);
        var incarnations = await ReadAllAsync(database.DataSource,
            "SELECT row(sale_incarnations.*)::text FROM sale_incarnations WHERE sale_id = @sale_id ORDER BY epoch", reader => reader.GetString(0), saleId);
        return [.. orders, .. incarnations];
    }

    private async Task<List<T>> ReadAllAsync<T>(NpgsqlDataSource dataSource, string sql, Func<NpgsqlDataReader, T> read, string? saleId = null)
    {
        await using var command = dataSource.CreateCommand(sql);
        if (saleId is not null)
        {
            command.Parameters.AddWithValue("sale_id", saleId);
        }

        await using var reader = await command.ExecuteReaderAsync(Token);
        var rows = new List<T>();
        while (await reader.ReadAsync(Token))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
