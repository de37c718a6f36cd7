
namespace SpikeApp.LoadGen.Invariants;

/// <summary>What the client saw, warmup included, for <see cref="InvariantChecker"/> to hold against the sale.</summary>
/// <param name="Successes">201 answers (seed: code 1).</param>
/// <param name="Uncertain">503 and unanswered requests: each may have sold without this client seeing the order.</param>
/// <param name="SaleBefore">The sale as read before the first request; null when it could not be read.</param>
public sealed record RunEvidence(
    string SaleId,
    LoadMode Mode,
    bool Shared,
    long Successes,
    long Uncertain,
    OrderBook Orders,
    SaleSnapshot? SaleBefore,
    int Concurrency);
