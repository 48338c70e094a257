// The GC pause time that fell inside each request a server served (issue 11 item 3: "the largest
// total pause accumulated inside one request", Biscuit-in-Go's 582 µs figure).
//
// A request's worker takes a mark when the request arrives (Begin) and hands it back when the reply
// is ready (End). Between the two, the runtime's collection count (GC.CollectionCount(0), which
// every GC of any generation increments) and its total pause (GC.GetTotalPauseDuration, exact, in
// 100 ns ticks, kept by the runtime at µs resolution) moved by what happened meanwhile: every GC of
// the process, whichever thread caused it, since a blocking GC stops every managed thread. A request
// during which the count moved "saw a GC"; its accumulated pause is the pause delta.
//
// What the figure is, said plainly: the pauses that fell between arrival and reply, so a request
// that blocks (posix's epoll_wait, a blocking accept) counts every pause of the time it waited, and
// two requests served at once by two workers both count a pause they shared. Sums over requests are
// therefore not the server's pause time (that is StatsReport.TotalPauseNs).
//
// Hot path: Begin and End read two runtime counters and allocate nothing; End of a request that saw
// no GC returns after one comparison. Every field is updated with Interlocked by the worker that
// ends a request and read without a lock: each figure is exact on its own, a Snapshot taken while
// requests end may see them a request apart.
namespace Biscuit.Lib.Telemetry;

/// <summary>The runtime's GC counters the meter reads (the real ones in servers; scripted in tests).</summary>
public interface IGcPauseClock
{
    /// <summary>Total GC pause of the process since it started, in 100 ns ticks.</summary>
    long TotalPauseTicks { get; }

    /// <summary>GCs of any generation since the process started.</summary>
    int Collections { get; }
}

public sealed class RuntimeGcPauseClock : IGcPauseClock
{
    public static readonly RuntimeGcPauseClock Instance = new();
    public long TotalPauseTicks => GC.GetTotalPauseDuration().Ticks;
    public int Collections => GC.CollectionCount(0);
}

/// <summary>Where the runtime's counters stood when a request arrived.</summary>
public readonly record struct RequestGcMark(long PauseTicks, int Collections);

/// <summary>One reading of the meter (see the file comment for what the figures mean).</summary>
public readonly record struct RequestGcFigures(long RequestsMeasured, long RequestsWithGc, long PauseSumNs, long MaxPauseNs, long[] Histogram);

public sealed class RequestGcMeter(IGcPauseClock clock)
{
    private readonly long[] histogram = new long[PauseHistogram.UpperBoundsNs.Length + 1];   // Interlocked; requests that saw a GC, by accumulated pause
    private long requestsMeasured;    // Interlocked: requests ended
    private long requestsWithGc;      // Interlocked: of those, the ones during which some GC ran
    private long pauseSumNs;          // Interlocked: their accumulated pauses, summed
    private long maxPauseNs;          // Interlocked (compare-and-swap): the largest accumulated pause of one request

    public RequestGcMeter() : this(RuntimeGcPauseClock.Instance) { }

    /// <summary>A request arrived: where the GC counters stand now.</summary>
    public RequestGcMark Begin() => new(clock.TotalPauseTicks, clock.Collections);

    /// <summary>The request `mark` began is answered: records the GC pause that fell inside it.</summary>
    public void End(RequestGcMark mark)
    {
        Interlocked.Increment(ref requestsMeasured);
        if (clock.Collections == mark.Collections) return;
        long ns = Math.Max(0, clock.TotalPauseTicks - mark.PauseTicks) * 100;
        Interlocked.Increment(ref requestsWithGc);
        Interlocked.Add(ref pauseSumNs, ns);
        Interlocked.Increment(ref histogram[PauseHistogram.BinOf(ns)]);
        long seen;
        while (ns > (seen = Volatile.Read(ref maxPauseNs)) && Interlocked.CompareExchange(ref maxPauseNs, ns, seen) != seen) { }
    }

    /// <summary>The figures now. Read in the reverse of End's order of updates, so that even while
    /// requests end, RequestsWithGc never exceeds RequestsMeasured nor MaxPauseNs PauseSumNs.</summary>
    public RequestGcFigures Snapshot()
    {
        long max = Interlocked.Read(ref maxPauseNs);
        long sum = Interlocked.Read(ref pauseSumNs);
        long withGc = Interlocked.Read(ref requestsWithGc);
        long measured = Interlocked.Read(ref requestsMeasured);
        var counts = new long[histogram.Length];
        for (int b = 0; b < counts.Length; b++) counts[b] = Interlocked.Read(ref histogram[b]);
        return new RequestGcFigures(measured, withGc, sum, max, counts);
    }
}

/// <summary>One worker thread's side of a meter, for loops that cannot carry a mark between the
/// arrival and the reply themselves (posix's forwarded-call workers): Started, then Finished.
/// Owned by one thread; not thread-safe.</summary>
public sealed class RequestGcWatch(RequestGcMeter meter)
{
    private RequestGcMark mark;     // owner thread only: the mark of the request being served
    private bool serving;           // owner thread only: Started was called and Finished not yet

    public void Started()
    {
        mark = meter.Begin();
        serving = true;
    }

    public void Finished()
    {
        if (!serving) return;
        serving = false;
        meter.End(mark);
    }
}
