using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using SpikeApp.Store;

namespace SpikeApp.Api.Stock;

/// <summary>
/// This replica among the live replicas Redis knows for each sale: the presence set every sync renews and ages. A slice
/// is sized only from a count Redis gave this replica after it joined the sale (join, then size), never from a setting,
/// so scaling, a surge or a dead replica changes the next slice. A replica that left never joins again, so no late sync
/// brings a replica that is shutting down back into the count.
/// </summary>
public sealed partial class ReplicaMembership(
    RedisSaleStore store,
    ReplicaIdentity replica,
    IOptions<SpikeOptions> options,
    ILogger<ReplicaMembership> logger)
{
    private readonly ConcurrentDictionary<string, int> _alive = new(StringComparer.Ordinal);
    private int _syncing;
    private int _left;

    public bool HasLeft => Volatile.Read(ref _left) != 0;

    /// <summary>The sale's one sync: renews this replica's presence and remembers how many replicas Redis saw alive.</summary>
    public async Task<SyncReply> SyncAsync(string saleId, IReadOnlyList<PendingPurchase> inDoubt)
    {
        Interlocked.Increment(ref _syncing);
        try
        {
            if (HasLeft)
            {
                throw new SaleStoreUnavailableException($"Replica '{replica.Id}' left the sales' membership: it is shutting down.");
            }

            var reply = await store.SyncAsync(saleId, replica.Id, options.Value.PresenceTimeToLive, inDoubt);
            if (reply.Availability == SaleAvailability.Open)
            {
                _alive[saleId] = reply.AliveReplicas;
            }

            return reply;
        }
        finally
        {
            Interlocked.Decrement(ref _syncing);
        }
    }

    /// <summary>
    /// A new slice of the sale: the even share of what remains among the replicas alive (this one's sync just said, else
    /// its last sync of the sale did); none before this replica joined, so its first purchase syncs and sizes it.
    /// </summary>
    public int SliceFor(string saleId, long remaining, int? aliveNow = null)
    {
        var alive = aliveNow ?? _alive.GetValueOrDefault(saleId);
        return alive > 0 ? options.Value.SliceFor(remaining, alive) : 0;
    }

    /// <summary>
    /// Leaves every sale this replica joined, once the syncs under way have ended (so none renews the presence after),
    /// bounded by the Redis timeout. A sale's unsold slice needs no giving back: it is a gate, Redis holds every unit.
    /// </summary>
    public async Task LeaveAsync()
    {
        if (Interlocked.Exchange(ref _left, 1) != 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var timeout = options.Value.RedisTimeout;
        while (Volatile.Read(ref _syncing) > 0 && Stopwatch.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        var saleIds = _alive.Keys.ToList();
        var left = await Task.WhenAll(saleIds.Select(async saleId =>
        {
            try
            {
                await store.LeaveAsync(saleId, replica.Id);
                return true;
            }
            catch (SaleStoreUnavailableException ex)
            {
                // Its entry ages out within the presence time-to-live instead.
                LogLeaveFailed(saleId, ex);
                return false;
            }
        }));

        var leftCount = left.Count(done => done);
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogLeft(leftCount, saleIds.Count, elapsed.TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Left the membership of {Left} of {Joined} sales in {ElapsedMs:0} ms")]
    private partial void LogLeft(int left, int joined, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not leave the membership of sale {SaleId}: it ages out of the presence set instead")]
    private partial void LogLeaveFailed(string saleId, Exception exception);
}
