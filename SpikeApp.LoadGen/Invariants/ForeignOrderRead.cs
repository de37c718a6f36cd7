namespace SpikeApp.LoadGen.Invariants;

/// <summary>One buyer's token on another buyer's order: the API must answer exactly as for a missing order.</summary>
/// <param name="StatusCode">Null when no answer came; <paramref name="Failure"/> says why.</param>
public sealed record ForeignOrderRead(string ReaderId, OrderHeld Order, int? StatusCode, string? ProblemType, string? Failure = null);
