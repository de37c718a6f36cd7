namespace SpikeApp.Gateway.SharedAnswers;

/// <summary>A request the store could not answer, as it was forwarded: its key, the write generation and the time it left.</summary>
internal sealed record ForwardedCandidate(string Key, long Generation, long SentAt);
