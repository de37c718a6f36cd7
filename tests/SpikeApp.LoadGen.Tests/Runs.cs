using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.LoadGen.Invariants;
using SpikeApp.LoadGen.Outcomes;

namespace SpikeApp.LoadGen.Tests;

/// <summary>What a run against sale <see cref="SaleId"/> saw, for the invariant checks; the sale had 10 units, none sold, before it.</summary>
internal static class Runs
{
    public const string SaleId = "s1";
    public static readonly SaleResponse Before = Sale(sold: 0);

    /// <summary>The sale as the API answers it, every unit sold by replica r1.</summary>
    public static SaleResponse Sale(long sold, long total = 10, long epoch = 1) =>
        new(SaleId, total, sold, Math.Max(0, total - sold), sold >= total, epoch,
            new Dictionary<string, long> { ["r1"] = sold }, new ReplicaSliceResponse("r1", total, 0, sold, SoldOutKnown: false, InDoubt: 0));

    /// <summary>An api-mode run with <paramref name="successes"/> 201s and the order ids it was handed.</summary>
    public static RunEvidence Evidence(long successes, params (string UserId, string OrderId)[] orders)
    {
        var book = new OrderBook();
        foreach (var (userId, orderId) in orders)
        {
            book.Record(userId, orderId);
        }

        return new RunEvidence(SaleId, LoadMode.Api, Shared: false, successes, Uncertain: 0, book, Before, Concurrency: 4);
    }

    /// <summary>The evidence of a run in which buyers paid, and how each payment was answered.</summary>
    public static RunEvidence Paying(RunEvidence evidence, params (string OrderId, PaymentOutcome Outcome)[] payments)
    {
        foreach (var (orderId, outcome) in payments)
        {
            evidence.Orders.RecordPayment(orderId, outcome);
        }

        return evidence with { PayRatio = 0.5, StoredBefore = new OrdersSummary(SaleId, 0, 0, 0, 0, 0) };
    }
}
