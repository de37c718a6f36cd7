using StackExchange.Redis;

namespace SpikeApp.Testing;

/// <summary>A sale's membership as Redis keeps it: the presence set of replica ids, each scored by its last sync (ms).</summary>
public static class SaleMembers
{
    public static RedisKey Key(string saleId) => $"spike:{{{saleId}}}:replicas";

    /// <summary>The replica ids Redis holds for the sale now, in id order (an entry older than the time-to-live goes at the next sync).</summary>
    public static async Task<string[]> OfAsync(IDatabase database, string saleId) =>
        [.. (await database.SortedSetRangeByRankAsync(Key(saleId))).Select(member => member.ToString()).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Adds <paramref name="count"/> replicas that stay members for the whole test, as replicas that keep syncing and never
    /// sell would: a replica sizes its slices among them.
    /// </summary>
    public static async Task JoinAsync(IDatabase database, string saleId, int count)
    {
        if (count <= 0)
        {
            return;
        }

        var lastSync = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        await database.SortedSetAddAsync(Key(saleId), [.. Enumerable.Range(1, count).Select(index => new SortedSetEntry($"other-replica-{index}", lastSync))]);
    }
}
