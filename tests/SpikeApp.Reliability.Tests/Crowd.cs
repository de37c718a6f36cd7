using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace SpikeApp.Reliability.Tests;

/// <summary>
/// A bounded crowd of distinct buyers, a fixed number in flight, each sent to the replica the test picks for it.
/// Records every answer by status and every order a buyer was told about.
/// </summary>
public sealed class Crowd
{
    public ConcurrentDictionary<string, string> Acknowledged { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> Answers { get; } = new(StringComparer.Ordinal);

    /// <summary>The answers other than 201, 409 and 503: what a buyer must never see from these tests' faults.</summary>
    public IEnumerable<string> UnexpectedAnswers => Answers.Keys.Except(["201", "200", "409", "503", "409, then found the order"]);

    public static IEnumerable<string> Buyers(string prefix, int count) =>
        Enumerable.Range(0, count).Select(buyer => $"{prefix}-{buyer}");

    /// <summary>One purchase per buyer; <paramref name="replicaFor"/> picks the replica from the buyer's index.</summary>
    public async Task BuyAsync(IEnumerable<string> buyers, Func<int, ApiProcess> replicaFor, int concurrency, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(buyers.Select((userId, index) => (userId, index)), Options(concurrency, cancellationToken), async (buyer, token) =>
            Record(await SpikeCluster.BuyAsync(replicaFor(buyer.index), buyer.userId, token)));

    /// <summary>
    /// Like <see cref="BuyAsync"/>, but as the API asks of a client: a buyer answered 503 tries again with the same user
    /// id until the answer is final, and one whose retry hears "sold out" asks whether the timed-out attempt bought.
    /// </summary>
    public async Task BuyRetryingAsync(IEnumerable<string> buyers, Func<int, ApiProcess> replicaFor, int concurrency, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(buyers.Select((userId, index) => (userId, index)), Options(concurrency, cancellationToken), async (buyer, token) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var replica = replicaFor(buyer.index + attempt);
                var purchase = await SpikeCluster.BuyAsync(replica, buyer.userId, token);
                Record(purchase);
                if (purchase.Status == HttpStatusCode.Conflict && attempt > 0 && await SpikeCluster.OrderOfBuyerAsync(replica, buyer.userId, token) is { } orderId)
                {
                    // A replica that knows the sale is sold out answers without Redis, so it cannot know this buyer's order.
                    Answers.AddOrUpdate("409, then found the order", 1, (_, count) => count + 1);
                    Acknowledged[buyer.userId] = orderId;
                }

                if (purchase.Status != HttpStatusCode.ServiceUnavailable)
                {
                    return;
                }

                // Retry-After says 1 s; these buyers are more impatient, which only makes the test harder.
                await Task.Delay(TimeSpan.FromMilliseconds(100), token);
            }
        });

    public string Describe() =>
        string.Join(", ", Answers.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => $"{entry.Key}: {entry.Value}"));

    private void Record(Purchase purchase)
    {
        var status = purchase.Status is { } code ? ((int)code).ToString(CultureInfo.InvariantCulture) : "unanswered";
        Answers.AddOrUpdate(status, 1, (_, count) => count + 1);
        if (purchase.Status is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            Acknowledged[purchase.UserId] = purchase.OrderId!;
        }
    }

    private static ParallelOptions Options(int concurrency, CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken };
}
