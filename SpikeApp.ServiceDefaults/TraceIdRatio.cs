using System.Buffers.Binary;
using System.Diagnostics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps a share of the traces of answers that say nothing new (a "sold out" already known), chosen by trace id as
/// OpenTelemetry's <c>TraceIdRatioBasedSampler</c> does, so every service of one trace decides alike.
/// </summary>
public readonly struct TraceIdRatio
{
    private readonly long _threshold;

    /// <param name="ratio">From 0 (keep none) to 1 (keep all).</param>
    public TraceIdRatio(double ratio) => _threshold = ratio >= 1 ? long.MaxValue : (long)(Math.Max(ratio, 0) * long.MaxValue);

    /// <summary>
    /// Whether <paramref name="request"/> keeps its trace. Otherwise it stops being recorded: it is neither enriched nor
    /// exported, and no child span is started. An unrecorded request is never kept.
    /// </summary>
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

    /// <summary>Stops recording <paramref name="request"/>: a span already started is not exported.</summary>
    public static void Drop(Activity request)
    {
        request.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        request.IsAllDataRequested = false;
    }
}
