namespace SpikeApp.Reliability.Tests;

/// <summary>Fault tests kill and freeze processes and measure latency: one at a time.</summary>
[CollectionDefinition(nameof(FaultTests), DisableParallelization = true)]
public sealed class FaultTestsDefinition;
