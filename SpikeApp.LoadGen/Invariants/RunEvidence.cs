using SpikeApp.Contracts.Orders;
using SpikeApp.Contracts.Sales;
using SpikeApp.LoadGen.Bell;

namespace SpikeApp.LoadGen.Invariants;

/// <summary>What the client saw, warmup included, for <see cref="InvariantChecker"/> to hold against the sale.</summary>
/// <param name="Successes">201 answers (seed: code 1).</param>
/// <param name="Uncertain">503 and unanswered requests: each may have sold without this client seeing the order.</param>
/// <param name="Stampede">With --at or --wait-open: the opening, and the buyers the sale still turned away after it.</param>
/// <param name="PayRatio">Above 0, buyers paid (how each payment was answered is in <paramref name="Orders"/>), and the paid-order checks run.</param>
public sealed record RunEvidence(
    string SaleId,
    LoadMode Mode,
    bool Shared,
    long Successes,
    long Uncertain,
    OrderBook Orders,
    SaleResponse? SaleBefore,
    int Concurrency,
    double PayRatio = 0,
    DateTimeOffset? LastSoldOut = null,
    OrdersSummary? StoredBefore = null,
    StampedeResult? Stampede = null);
