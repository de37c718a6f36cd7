using SpikeApp.Contracts.Orders;
using SpikeApp.LoadGen.Invariants;

namespace SpikeApp.LoadGen.Bell;

/// <summary>The opening as the run saw it: the buyers' side on this machine's clock (corrected), the replicas' side on Redis'.</summary>
/// <param name="At">The opening on this machine's clock: --at, or the sale's <c>opensAt</c> corrected by <paramref name="ClockOffsetMs"/>.</param>
/// <param name="OpensAt">The opening the replicas' first sales are measured from: the sale's <c>opensAt</c>, else --at.</param>
/// <param name="SoldOutSeconds">From the opening to the last unit's sale, when the sale was sold out after the run.</param>
/// <param name="Replicas">Each replica's first order of the run (api mode: orders carry <c>replicaId</c> and <c>createdAt</c>), in replica order.</param>
/// <param name="ReplicaSpreadMs">The last replica's first sale less the first's; null without orders.</param>
/// <param name="AnswersByTenth">Answers in each tenth of a second of the first two after the release of the buyers.</param>
public sealed record OpeningReport(
    OpeningSource Source,
    DateTimeOffset At,
    DateTimeOffset OpensAt,
    double ClockOffsetMs,
    double ClockUncertaintyMs,
    long Connected,
    int Connections,
    double StartLateMs,
    double? FirstSaleSeconds,
    double? SoldOutSeconds,
    long FirstSecondRequests,
    double FirstSecondRequestsPerSecond,
    long NotOpenAfterOpening,
    IReadOnlyList<ReplicaFirstSale> Replicas,
    double? ReplicaSpreadMs,
    IReadOnlyList<long> AnswersByTenth)
{
    public static OpeningReport Create(StampedeResult stampede, bool soldOut, IReadOnlyList<FetchedOrder> orders)
    {
        ArgumentNullException.ThrowIfNull(stampede);
        ArgumentNullException.ThrowIfNull(orders);
        var opening = stampede.Opening;
        var replicas = orders.Select(order => order.Order).OfType<Order>()
            .GroupBy(order => order.ReplicaId, StringComparer.Ordinal)
            .Select(replica => (Id: replica.Key, First: replica.Min(order => order.CreatedAt)))
            .Select(replica => new ReplicaFirstSale(replica.Id, replica.First, (replica.First - opening.Reference).TotalMilliseconds))
            .OrderBy(replica => replica.ReplicaId, StringComparer.Ordinal)
            .ToList();
        var seconds = stampede.FirstSecondLength.TotalSeconds;
        return new OpeningReport(opening.Source, opening.At, opening.Reference, opening.ClockOffset.TotalMilliseconds, opening.ClockUncertainty.TotalMilliseconds,
            stampede.Connected, stampede.Connections, stampede.Late.TotalMilliseconds, stampede.FirstSale?.TotalSeconds,
            soldOut ? stampede.LastSale?.TotalSeconds : null, stampede.FirstSecondAnswers, seconds > 0 ? stampede.FirstSecondAnswers / seconds : 0,
            stampede.TurnedAway, replicas,
            replicas.Count > 0 ? replicas.Max(replica => replica.OffsetMs) - replicas.Min(replica => replica.OffsetMs) : null,
            stampede.AnswersByTenth);
    }
}
