using System.Net;

namespace SpikeApp.Reliability.Tests;

/// <summary>One purchase as the buyer saw it: no status when the replica died before answering.</summary>
public sealed record Purchase(string UserId, HttpStatusCode? Status, string? OrderId, TimeSpan Elapsed, TimeSpan? RetryAfter);
