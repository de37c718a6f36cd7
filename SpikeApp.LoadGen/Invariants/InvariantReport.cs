using System.Text.Json.Serialization;
using SpikeApp.Contracts.Sales;

namespace SpikeApp.LoadGen.Invariants;

public sealed record InvariantReport(
    [property: JsonConverter(typeof(SaleFiguresWriter))] SaleResponse? SaleBefore,
    [property: JsonConverter(typeof(SaleFiguresWriter))] SaleResponse? SaleAfter,
    IReadOnlyList<InvariantResult> Results)
{
    public bool Passed => Results.All(result => result.Status != InvariantStatus.Failed);

    public int ExitCode => Passed ? ExitCodes.Success : ExitCodes.InvariantFailed;
}
