using System.Diagnostics.Metrics;

namespace SpikeApp.Gateway.Telemetry;

/// <summary>What the gateway did besides forwarding; ASP.NET Core's own metrics and spans count the forwarded requests.</summary>
public sealed class GatewayTelemetry
{
    public const string MeterName = "SpikeApp.Gateway";

    private readonly Counter<long> _resends;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _sharedAnswers;

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _resends = meter.CreateCounter<long>("spike.gateway.resends", unit: "{request}",
            description: "Requests resent to another replica because the first could not be reached.");
        _refused = meter.CreateCounter<long>("spike.gateway.refused", unit: "{request}",
            description: "Requests the gateway answered itself, by reason: overloaded (429) or unavailable (503, no replica could take it).");
        _sharedAnswers = meter.CreateCounter<long>("spike.gateway.shared_answers", unit: "{request}",
            description: "Requests answered with a replica's answer the gateway stored (a known \"sold out\"), without reaching a replica.");
    }

    public void RecordResend() => _resends.Add(1);

    public void RecordSharedAnswer() => _sharedAnswers.Add(1);

    public void RecordRefused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Values of the <c>reason</c> tag of <c>spike.gateway.refused</c>.</summary>
    public static class RefusalReasons
    {
        public const string Overloaded = "overloaded";
        public const string Unavailable = "unavailable";
    }
}
