namespace SpikeApp.LoadGen.Invariants;

public enum InvariantStatus
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One check, with the numbers behind its verdict.</summary>
public sealed record InvariantResult(string Name, InvariantStatus Status, string Detail)
{
    public static InvariantResult Check(string name, bool holds, string detail) =>
        new(name, holds ? InvariantStatus.Passed : InvariantStatus.Failed, detail);
}
