using System.Buffers.Binary;
using System.Diagnostics;

namespace Microsoft.Extensions.Hosting;

/// <summary>Chooses by trace id, as OpenTelemetry's <c>TraceIdRatioBasedSampler</c> does, so every service of a trace decides alike.</summary>
public readonly struct TraceIdRatio
{
    private readonly long _threshold;

    public TraceIdRatio(double ratio) => _threshold = ratio >= 1 ? long.MaxValue : (long)(Math.Max(ratio, 0) * long.MaxValue);

    /// <summary>A dropped request stops being recorded: it is neither enriched nor exported, and starts no child span.</summary>
    public bool KeepOrDrop(Activity? request)
    {
        if (request is not { Recorded: true })
        {
            return false;
        }

        Span<byte> traceId = stackalloc byte[16];
        request.TraceId.CopyTo(traceId);
        if (_threshold == long.MaxValue || (BinaryPrimitives.ReadInt64BigEndian(traceId[8..]) & long.MaxValue) < _threshold)
        {
            return true;
        }

        Drop(request);
        return false;
    }

    public static void Drop(Activity request)
    {
        request.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        request.IsAllDataRequested = false;
    }
}
