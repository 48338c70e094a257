// The body of the standard Stats reply: one server's GC and request figures at one moment.
// Collection counts are the process's since it started; pause time, the histogram and the time
// fraction are since the server's telemetry started (at server start). HistogramUpperBoundsNs
// travels with the counts so a reader need not share this library's version of the bins.
namespace Biscuit.Lib.Telemetry;

public sealed record StatsReport
{
    public string Server { get; init; } = "";
    public long UptimeMs { get; init; }

    // GC (GcTelemetry)
    public long Gen0Collections { get; init; }
    public long Gen1Collections { get; init; }
    public long Gen2Collections { get; init; }
    public long TotalPauseNs { get; init; }
    public long MaxPauseNs { get; init; }
    public long[] HistogramUpperBoundsNs { get; init; } = [];
    public long[] HistogramCounts { get; init; } = [];   // HistogramUpperBoundsNs.Length + 1 bins; the last is open-ended
    public long SampledGcs { get; init; }
    public long UnsampledGcs { get; init; }
    public long HeapSizeBytes { get; init; }
    public long HeapLimitBytes { get; init; }
    public long LiveBytesAfterLastGc { get; init; }
    public long CommittedBytes { get; init; }
    public long TotalAllocatedBytes { get; init; }
    public double TimeInGcFraction { get; init; }

    // Requests (Server/RequestCounters)
    public long RequestsReceived { get; init; }
    public long RequestsOk { get; init; }
    public long RequestsMalformed { get; init; }
    public long RequestsUnknown { get; init; }
    public long HandlerFailures { get; init; }
    public long RepliesTooLarge { get; init; }

    // Admission (Server/AdmissionControl)
    public long Admitted { get; init; }
    public long Queued { get; init; }
    public long Refused { get; init; }
    public long ReservedBytes { get; init; }
    public long AdmissionCollections { get; init; }

    // With ServerOptions.MeasureAllocations: per request type, its admission budget and the most
    // bytes one request of that type allocated on its worker thread (decode + handler + encode).
    public string[] AllocationRequests { get; init; } = [];
    public long[] AllocationBudgets { get; init; } = [];
    public long[] AllocationObservedMax { get; init; } = [];

    // GC pause inside requests (RequestGcMeter; fields 32-36 on the wire): requests measured, those
    // during which some GC ran, their accumulated pauses summed, the largest accumulated in one
    // request, and a histogram of per-request accumulated pause (requests that saw a GC only) in the
    // bins of HistogramUpperBoundsNs — empty when the writer predates these fields.
    public long RequestsMeasuredForGc { get; init; }
    public long RequestsWithGc { get; init; }
    public long RequestPauseSumNs { get; init; }
    public long RequestPauseMaxNs { get; init; }
    public long[] RequestPauseHistogramCounts { get; init; } = [];

    // Restart history (fields 37-42 on the wire): what init told this instance (Incarnation.cs);
    // Incarnation.First when it was never restarted or the writer predates these fields.
    public Incarnation History { get; init; } = Incarnation.First;
}
