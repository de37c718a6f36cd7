using System.Diagnostics.Metrics;

namespace SpikeApp.Api.Warmup;

/// <summary>
/// Meters under a name no exporter listens to: the scratch sale's purchases must not show among the sales' own counts,
/// and a listener picks meters by name whichever factory made them.
/// </summary>
internal sealed class ScratchMeterFactory : IMeterFactory
{
    public const string MeterName = "SpikeApp.Warmup.Scratch";

    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(MeterName);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(meter => meter.Dispose());
            _meters.Clear();
        }
    }
}
