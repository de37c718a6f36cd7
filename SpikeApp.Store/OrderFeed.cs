using System.Globalization;
using SpikeApp.Contracts.Orders;
using StackExchange.Redis;
using Order = SpikeApp.Contracts.Orders.Order;

namespace SpikeApp.Store;

/// <summary>
/// A sale's order stream for the order processors: one consumer group, at-least-once. An entry is acknowledged only once
/// stored; a dead consumer's pending entries are claimed by a live one; trimming stays below what is acknowledged.
/// </summary>
public sealed class OrderFeed(IConnectionMultiplexer redis)
{
    public const string GroupName = "orders";

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Unacknowledged entries first (a restarted consumer picks up where it died), then new ones.</summary>
    public async Task<IReadOnlyList<SaleEvent>> ReadAsync(string saleId, string consumer, int count)
    {
        var key = SaleKeys.For(saleId).Stream;
        try
        {
            var mine = await Database.StreamReadGroupAsync(key, GroupName, consumer, "0", count);
            var entries = mine.Length > 0 ? mine : await Database.StreamReadGroupAsync(key, GroupName, consumer, ">", count);
            return Parse(saleId, entries);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            await CallAsync(true, async _ =>
            {
                await EnsureGroupAsync(key);
                return true;
            });
            return [];
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            throw new SaleStoreUnavailableException($"Redis refused or did not answer XREADGROUP: {ex.Message}", ex);
        }
    }

    public Task<IReadOnlyList<SaleEvent>> ClaimAsync(string saleId, string consumer, TimeSpan minIdle, int count) => CallAsync([], async database =>
    {
        var claimed = await database.StreamAutoClaimAsync(SaleKeys.For(saleId).Stream, GroupName, consumer, (long)minIdle.TotalMilliseconds, "0-0", count);
        return claimed.IsNull ? (IReadOnlyList<SaleEvent>)[] : Parse(saleId, claimed.ClaimedEntries);
    });

    public Task AcknowledgeAsync(string saleId, IReadOnlyList<string> entryIds) => CallAsync(0L, async database =>
        await database.StreamAcknowledgeAsync(SaleKeys.For(saleId).Stream, GroupName, [.. entryIds.Select(id => (RedisValue)id)]));

    public Task<long> TrimAcknowledgedAsync(string saleId) => CallAsync(0L, async database =>
    {
        var key = SaleKeys.For(saleId).Stream;
        var groups = await database.StreamGroupInfoAsync(key);
        if (groups.Length == 0)
        {
            return 0L;
        }

        string? keepFrom = null;
        foreach (var group in groups)
        {
            var oldestKept = group.PendingMessageCount > 0
                ? (string?)(await database.StreamPendingAsync(key, group.Name)).LowestPendingMessageId
                : group.LastDeliveredId;
            if (oldestKept is null || oldestKept == "0-0")
            {
                return 0L;
            }

            keepFrom = keepFrom is null || CompareIds(oldestKept, keepFrom) < 0 ? oldestKept : keepFrom;
        }

        return (long)await database.ExecuteAsync("XTRIM", key, "MINID", keepFrom!);
    });

    /// <summary>Entries not yet acknowledged: read but not stored, or not read at all.</summary>
    public Task<long> LagAsync(string saleId) => CallAsync(0L, async database =>
    {
        var groups = await database.StreamGroupInfoAsync(SaleKeys.For(saleId).Stream);
        return groups.FirstOrDefault(group => group.Name == GroupName) is { } orders
            ? orders.PendingMessageCount + (orders.Lag ?? 0)
            : await database.StreamLengthAsync(SaleKeys.For(saleId).Stream);
    });

    private async Task EnsureGroupAsync(RedisKey key)
    {
        try
        {
            await Database.StreamCreateConsumerGroupAsync(key, GroupName, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another processor created it first.
        }
    }

    /// <param name="whenMissing">The answer when the stream or its group does not exist (yet, or after a reset).</param>
    private async Task<T> CallAsync<T>(T whenMissing, Func<IDatabase, Task<T>> command)
    {
        try
        {
            return await command(Database);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal) || ex.Message.Contains("no such key", StringComparison.Ordinal))
        {
            return whenMissing;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            throw new SaleStoreUnavailableException($"Redis refused or did not answer a stream command: {ex.Message}", ex);
        }
    }

    /// <summary>Every entry, delivered or not: what Redis knows and the ledger may not have stored yet.</summary>
    public async IAsyncEnumerable<IReadOnlyList<SaleEvent>> ReadAllAsync(string saleId, int pageSize)
    {
        var key = SaleKeys.For(saleId).Stream;
        RedisValue from = "-";
        while (true)
        {
            var page = await CallAsync(Array.Empty<StreamEntry>(), database => database.StreamRangeAsync(key, from, "+", pageSize));
            if (page.Length == 0)
            {
                yield break;
            }

            yield return Parse(saleId, page);
            if (page.Length < pageSize)
            {
                yield break;
            }

            // Exclusive start after the last entry read.
            from = "(" + page[^1].Id;
        }
    }

    private static List<SaleEvent> Parse(string saleId, StreamEntry[] entries)
    {
        var events = new List<SaleEvent>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry.IsNull || entry["type"].IsNull)
            {
                continue;
            }

            var id = entry.Id.ToString();
            var epoch = Number(entry["epoch"]);
            var round = entry["round"].IsNullOrEmpty ? epoch : Number(entry["round"]);
            var seq = Number(entry["seq"]);
            var type = entry["type"].ToString();
            if (type == "incarnation")
            {
                events.Add(new IncarnationEvent(id, saleId, epoch, round, seq, IncarnationEvent.Parse(entry["began"].ToString()),
                    Number(entry["total"]), Number(entry["sold"]), RedisTime.FromMilliseconds(entry["at"]) ?? DateTimeOffset.UnixEpoch,
                    RedisTime.FromMilliseconds(entry["opensAt"]), RedisTime.FromMilliseconds(entry["closesAt"])));
                continue;
            }

            var order = new Order(
                entry["order"].ToString(),
                saleId,
                entry["user"].ToString(),
                entry["replica"].ToString(),
                type == "created" ? OrderStatus.Pending : OrderStatuses.Parse(type),
                RedisTime.FromMilliseconds(entry["createdAt"])!.Value,
                RedisTime.FromMilliseconds(entry["expiresAt"])!.Value,
                RedisTime.FromMilliseconds(entry["paidAt"]),
                entry["reference"] is { IsNullOrEmpty: false } reference ? reference.ToString() : null,
                entry["orderEpoch"].IsNullOrEmpty ? epoch : Number(entry["orderEpoch"]));
            events.Add(new OrderEvent(id, epoch, round, seq, order, entry["traceparent"] is { IsNullOrEmpty: false } trace ? trace.ToString() : null));
        }

        return events;
    }

    private static long Number(RedisValue value) => value.IsNullOrEmpty ? 0 : (long)value;

    /// <summary>Stream ids are "milliseconds-sequence"; compare both parts as numbers.</summary>
    private static int CompareIds(string left, string right)
    {
        static (long Ms, long Seq) Split(string id)
        {
            var dash = id.IndexOf('-', StringComparison.Ordinal);
            return (long.Parse(id[..dash], CultureInfo.InvariantCulture), long.Parse(id[(dash + 1)..], CultureInfo.InvariantCulture));
        }

        return Split(left).CompareTo(Split(right));
    }
}
