
namespace SpikeApp.LoadGen.Invariants;

/// <summary>The sale before and after the run, and every check's verdict.</summary>
public sealed record InvariantReport(SaleSnapshot? SaleBefore, SaleSnapshot? SaleAfter, IReadOnlyList<InvariantResult> Results)
{
    public bool Passed => Results.All(result => result.Status != InvariantStatus.Failed);

    public int ExitCode => Passed ? ExitCodes.Success : ExitCodes.InvariantFailed;
}
