namespace SpikeApp.LoadGen.Invariants;

public enum InvariantStatus
{
    Passed,
    Failed,
    Skipped,
}

public sealed record InvariantResult(string Name, InvariantStatus Status, string Detail)
{
    public static InvariantResult Check(string name, bool holds, string detail) =>
        new(name, holds ? InvariantStatus.Passed : InvariantStatus.Failed, detail);
}
