using System.Diagnostics;

namespace SpikeApp.Gateway.Forwarding;

/// <summary>
/// What ASP.NET Core takes from a client's request to parent the gateway's server span: nothing. A chosen trace id would
/// otherwise pick which answers keep their trace (every sampling ratio decides by trace id), and flags <c>00</c> would
/// hide a client's requests; <see cref="TraceContext.LinkClientAsync"/> keeps the client's span as a link instead.
/// </summary>
internal sealed class ClientTraceContextPropagator : DistributedContextPropagator
{
    public override IReadOnlyCollection<string> Fields { get; } = [];

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
