namespace SpikeApp.Orders.Tests;

/// <summary>
/// Tests that run an <see cref="OrdersHost"/>: one at a time, since a telemetry listener hears every processor in this
/// process.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessProcessors
{
    public const string Name = "in-process processors";
}
