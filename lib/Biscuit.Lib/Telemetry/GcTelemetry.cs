// GC figures for the Stats request, gathered from the runtime's own counters (System.GC).
//
// Exact figures: collections per generation (GC.CollectionCount), total pause time
// (GC.GetTotalPauseDuration), heap and allocation figures (GC.GetGCMemoryInfo, GetTotalMemory,
// GetTotalAllocatedBytes).
//
// Sampled figures: the pause histogram and the maximum pause. .NET exposes individual pauses only
// for the *last* GC of each kind (GC.GetGCMemoryInfo(GCKind.Ephemeral / FullBlocking / Background)),
// so the server loop calls Sample() after every request: if GC.CollectionCount(0) moved, the last GC
// of each kind that we have not seen yet (by its Index) has its pauses binned. When several GCs of
// the same kind happen between two samples (one request that allocates a lot, or other threads of
// the process collecting) only the last of them is seen; the others are missed. Missed GCs are
// counted (UnsampledGcs = GCs since start - GCs sampled) rather than hidden, and TotalPause stays
// exact because it does not come from the samples. The histogram is therefore biased towards the
// GCs that end a request; a server whose requests each cause many GCs should read it with care.
//
// Locking: `gate` guards every field below; Sample's fast path (no GC since the last sample) reads
// only a volatile int.
using System.Diagnostics;

namespace Biscuit.Lib.Telemetry;

public sealed class GcTelemetry
{
    private static readonly GCKind[] Kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];

    private readonly object gate = new();
    private readonly long startTimestamp = Stopwatch.GetTimestamp();   // immutable
    private readonly TimeSpan pauseAtStart = GC.GetTotalPauseDuration(); // immutable
    private readonly int collectionsAtStart = GC.CollectionCount(0);  // immutable
    private readonly long[] lastSeenIndex = new long[Kinds.Length];    // guarded by gate: Index of the last GC binned, per kind
    private readonly PauseHistogram histogram = new();                 // guarded by gate
    private volatile int lastCollectionCount;                          // written under gate
    private long sampledGcs;                                           // guarded by gate
    private TimeSpan maxPause;                                         // guarded by gate

    public GcTelemetry()
    {
        lastCollectionCount = collectionsAtStart;
        for (int k = 0; k < Kinds.Length; k++) lastSeenIndex[k] = GC.GetGCMemoryInfo(Kinds[k]).Index;
    }

    /// <summary>Bins the pauses of GCs that happened since the last call (see the file comment for what is missed).</summary>
    public void Sample()
    {
        if (GC.CollectionCount(0) == lastCollectionCount) return;
        lock (gate)
        {
            int count = GC.CollectionCount(0);
            if (count == lastCollectionCount) return;
            for (int k = 0; k < Kinds.Length; k++)
            {
                GCMemoryInfo info = GC.GetGCMemoryInfo(Kinds[k]);
                if (info.Index <= lastSeenIndex[k]) continue;
                lastSeenIndex[k] = info.Index;
                sampledGcs++;
                foreach (TimeSpan pause in info.PauseDurations)
                {
                    if (pause <= TimeSpan.Zero) continue;
                    histogram.Add(pause);
                    if (pause > maxPause) maxPause = pause;
                }
            }
            lastCollectionCount = count;
        }
    }

    /// <summary>Current figures (samples first, so the last request's GCs are included).</summary>
    public GcFigures Snapshot(IHeapGauge heap)
    {
        Sample();
        lock (gate)
        {
            TimeSpan uptime = Stopwatch.GetElapsedTime(startTimestamp);
            TimeSpan pause = GC.GetTotalPauseDuration() - pauseAtStart;
            long gcs = GC.CollectionCount(0) - collectionsAtStart;
            GCMemoryInfo last = GC.GetGCMemoryInfo(GCKind.Any);
            return new GcFigures
            {
                Uptime = uptime,
                Gen0Collections = GC.CollectionCount(0),
                Gen1Collections = GC.CollectionCount(1),
                Gen2Collections = GC.CollectionCount(2),
                TotalPause = pause,
                MaxPause = maxPause,
                PauseHistogram = histogram.SnapshotCounts(),
                SampledGcs = sampledGcs,
                UnsampledGcs = Math.Max(0, gcs - sampledGcs),
                HeapSizeBytes = GC.GetTotalMemory(forceFullCollection: false),
                HeapLimitBytes = heap.HeapLimitBytes,
                LiveBytesAfterLastGc = heap.LiveBytesAfterLastGc,
                CommittedBytes = last.TotalCommittedBytes,
                TotalAllocatedBytes = GC.GetTotalAllocatedBytes(precise: false),
                TimeInGcFraction = uptime > TimeSpan.Zero ? Math.Clamp(pause / uptime, 0.0, 1.0) : 0.0,
            };
        }
    }
}

/// <summary>One reading of the GC figures; see GcTelemetry for which are exact and which sampled.</summary>
public sealed record GcFigures
{
    public TimeSpan Uptime { get; init; }
    public long Gen0Collections { get; init; }
    public long Gen1Collections { get; init; }
    public long Gen2Collections { get; init; }
    public TimeSpan TotalPause { get; init; }
    public TimeSpan MaxPause { get; init; }
    public long[] PauseHistogram { get; init; } = [];
    public long SampledGcs { get; init; }
    public long UnsampledGcs { get; init; }
    public long HeapSizeBytes { get; init; }
    public long HeapLimitBytes { get; init; }
    public long LiveBytesAfterLastGc { get; init; }
    public long CommittedBytes { get; init; }
    public long TotalAllocatedBytes { get; init; }
    public double TimeInGcFraction { get; init; }
}
