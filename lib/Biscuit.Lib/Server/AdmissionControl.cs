// MAXLIVE admission control (DESIGN.md §4, issue 10 item 2): a request starts only when its heap
// budget (the most heap it can hold live, computed by tools/maxlive) fits. The heap limit is split in
// two pools:
//
//   * the headroom pool, `headroom` bytes kept for small requests (budget < headroom) only;
//   * the general pool, limit - headroom - live heap after the last GC - budgets reserved in it.
//
// A small request takes from the headroom pool when it fits there, else from the general pool; a
// large one only from the general pool. Before dispatch a worker reserves the budget; after the
// reply is encoded it releases it to the pool it came from. If the budget does not fit, the worker
// collects once (garbage may be hiding free room), then:
//   * if it could never fit (large, and budget > limit - headroom - live even with nothing reserved)
//     it is refused;
//   * else, if fewer than QueueCapacity requests are waiting, it waits (it is "queued") until
//     releases make room, at most MaxQueueWait, and is refused if that passes;
//   * else it is refused. A refused request gets a Busy reply.
// Why a separate pool: the live figure is measured by whichever GC ran last, often while large
// requests were running, so their data is counted twice (as live and as reserved) until the next
// GC. Under a flood of large requests that stale figure can leave the general pool empty for a
// long time; the headroom pool does not depend on it, so small requests are always admitted while
// fewer than headroom bytes of them run. Soundness: every admission keeps
// live + general reserved + headroom <= limit, and the headroom pool never lends more than headroom.
// Waiting happens before the handler runs, so a waiting request holds no server lock (no
// deadlock), and an admitted request cannot run out of heap midway (its budget is an upper bound).
// Queueing needs several worker threads: the kernel gives each receiving thread one owed reply,
// so the queue is the set of worker threads blocked here with their caller still waiting.
//
// Locking: `gate` guards reserved, headroomReserved and waiting; the counters are Interlocked. The
// GC runs outside the lock so that other workers can release meanwhile.
using Biscuit.Lib.Telemetry;

namespace Biscuit.Lib.Server;

public enum AdmissionOutcome
{
    Admitted,
    AdmittedFromHeadroom,
    AdmittedAfterQueueing,
    AdmittedFromHeadroomAfterQueueing,
    RefusedNeverFits,
    RefusedQueueFull,
    RefusedWaitedTooLong,
}

public sealed class AdmissionControl
{
    private readonly object gate = new();
    private readonly IHeapGauge gauge;
    private long reserved;          // guarded by gate: budgets of running requests admitted from the general pool
    private long headroomReserved;  // guarded by gate: budgets of running requests admitted from the headroom pool
    private int waiting;            // guarded by gate: requests queued here now
    private long admitted, admittedFromHeadroom, queued, refused, collections;   // Interlocked

    public AdmissionControl(IHeapGauge gauge, int queueCapacity, TimeSpan maxQueueWait, long headroomBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queueCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(headroomBytes);
        this.gauge = gauge;
        QueueCapacity = queueCapacity;
        MaxQueueWait = maxQueueWait;
        HeadroomBytes = headroomBytes;
    }

    /// <summary>The pool kept for requests with budgets smaller than this (0: no such pool).</summary>
    public long HeadroomBytes { get; }

    public int QueueCapacity { get; }
    public TimeSpan MaxQueueWait { get; }

    public long Admitted => Interlocked.Read(ref admitted);
    public long AdmittedFromHeadroomPool => Interlocked.Read(ref admittedFromHeadroom);
    public long Queued => Interlocked.Read(ref queued);
    public long Refused => Interlocked.Read(ref refused);
    public long Collections => Interlocked.Read(ref collections);

    public long ReservedBytes
    {
        get { lock (gate) return reserved + headroomReserved; }
    }

    public int WaitingNow
    {
        get { lock (gate) return waiting; }
    }

    /// <summary>Reserves `budget` bytes or says why not. Every admitted outcome must be paired with
    /// Release(budget, outcome), which returns the budget to the pool the outcome names.</summary>
    public AdmissionOutcome Admit(long budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        lock (gate)
            if (TryReserve(budget, out bool fromHeadroom)) return Count(fromHeadroom ? AdmissionOutcome.AdmittedFromHeadroom : AdmissionOutcome.Admitted);

        gauge.Collect();
        Interlocked.Increment(ref collections);

        lock (gate)
        {
            if (TryReserve(budget, out bool fromHeadroom)) return Count(fromHeadroom ? AdmissionOutcome.AdmittedFromHeadroom : AdmissionOutcome.Admitted);
            if (!IsSmall(budget) && budget > gauge.HeapLimitBytes - HeadroomBytes - gauge.LiveBytesAfterLastGc)
                return Count(AdmissionOutcome.RefusedNeverFits);
            if (waiting >= QueueCapacity) return Count(AdmissionOutcome.RefusedQueueFull);
            waiting++;
            Interlocked.Increment(ref queued);
            try
            {
                // Re-check at least every 10 ms: the live figure can also drop after a GC another
                // thread ran, which pulses nobody.
                long deadline = Ipc.Deadline.After((ulong)Math.Max(0, MaxQueueWait.TotalMilliseconds));
                while (!TryReserve(budget, out fromHeadroom))
                {
                    long slice = Ipc.Deadline.After(10);
                    if (!Ipc.Deadline.Wait(gate, Math.Min(deadline, slice)) && System.Diagnostics.Stopwatch.GetTimestamp() >= deadline)
                        return Count(AdmissionOutcome.RefusedWaitedTooLong);
                }
                return Count(fromHeadroom ? AdmissionOutcome.AdmittedFromHeadroomAfterQueueing : AdmissionOutcome.AdmittedAfterQueueing);
            }
            finally
            {
                waiting--;
            }
        }
    }

    /// <summary>Returns an admitted request's budget to its pool and wakes the requests queued for room.</summary>
    public void Release(long budget, AdmissionOutcome admittedAs)
    {
        if (!IsAdmitted(admittedAs)) throw new ArgumentException($"{admittedAs} reserved nothing to release", nameof(admittedAs));
        lock (gate)
        {
            if (budget == 0) return;
            ref long pool = ref FromHeadroom(admittedAs) ? ref headroomReserved : ref reserved;
            if (budget > pool) throw new InvalidOperationException("released more heap budget than was reserved");
            pool -= budget;
            Monitor.PulseAll(gate);
        }
    }

    private bool IsSmall(long budget) => budget < HeadroomBytes;

    // gate held. Small requests try the headroom pool first; budget 0 needs no heap, so it cannot
    // run out of it.
    private bool TryReserve(long budget, out bool fromHeadroom)
    {
        fromHeadroom = false;
        if (budget == 0) return true;
        if (IsSmall(budget) && headroomReserved + budget <= HeadroomBytes)
        {
            headroomReserved += budget;
            fromHeadroom = true;
            return true;
        }
        long free = gauge.HeapLimitBytes - HeadroomBytes - gauge.LiveBytesAfterLastGc - reserved;
        if (budget > free) return false;
        reserved += budget;
        return true;
    }

    private AdmissionOutcome Count(AdmissionOutcome outcome)
    {
        Interlocked.Increment(ref IsAdmitted(outcome) ? ref admitted : ref refused);
        if (FromHeadroom(outcome)) Interlocked.Increment(ref admittedFromHeadroom);
        return outcome;
    }

    public static bool IsAdmitted(AdmissionOutcome outcome) =>
        outcome is AdmissionOutcome.Admitted or AdmissionOutcome.AdmittedAfterQueueing
            or AdmissionOutcome.AdmittedFromHeadroom or AdmissionOutcome.AdmittedFromHeadroomAfterQueueing;

    private static bool FromHeadroom(AdmissionOutcome outcome) =>
        outcome is AdmissionOutcome.AdmittedFromHeadroom or AdmissionOutcome.AdmittedFromHeadroomAfterQueueing;
}
