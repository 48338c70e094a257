// MAXLIVE admission control (DESIGN.md §4, issue 10 item 2): a request starts only when its heap
// budget (the most heap it can hold live, computed by tools/maxlive) fits in
//
//     heap limit - live heap after the last GC - budgets reserved by requests still running.
//
// Before dispatch a worker reserves the budget; after the reply is encoded it releases it. If the
// budget does not fit, the worker collects once (garbage may be hiding free room), then:
//   * if it could never fit (budget > limit - live even with nothing reserved) it is refused;
//   * else, if fewer than QueueCapacity requests are waiting, it waits (it is "queued") until
//     releases make room, at most MaxQueueWait, and is refused if that passes;
//   * else it is refused. A refused request gets a Busy reply.
// Small requests keep moving under a flood of big ones: a request whose budget is at least
// `headroom` must leave `headroom` bytes free when admitted; smaller ones may use that room. So
// expensive requests queue and are refused among themselves while cheap ones are admitted at once.
// Waiting happens before the handler runs, so a waiting request holds no server lock (no
// deadlock), and an admitted request cannot run out of heap midway (its budget is an upper bound).
// Queueing needs several worker threads: the kernel gives each receiving thread one owed reply,
// so the queue is the set of worker threads blocked here with their caller still waiting.
//
// Locking: `gate` guards reserved and waiting; the counters are Interlocked. The GC runs outside
// the lock so that other workers can release meanwhile.
using Biscuit.Lib.Telemetry;

namespace Biscuit.Lib.Server;

public enum AdmissionOutcome
{
    Admitted,
    AdmittedAfterQueueing,
    RefusedNeverFits,
    RefusedQueueFull,
    RefusedWaitedTooLong,
}

public sealed class AdmissionControl
{
    private readonly object gate = new();
    private readonly IHeapGauge gauge;
    private long reserved;          // guarded by gate: sum of the budgets of requests admitted and running
    private int waiting;            // guarded by gate: requests queued here now
    private long admitted, queued, refused, collections;   // Interlocked

    public AdmissionControl(IHeapGauge gauge, int queueCapacity, TimeSpan maxQueueWait, long headroomBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queueCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(headroomBytes);
        this.gauge = gauge;
        QueueCapacity = queueCapacity;
        MaxQueueWait = maxQueueWait;
        HeadroomBytes = headroomBytes;
    }

    /// <summary>Room that requests of at least this budget must leave free for smaller ones.</summary>
    public long HeadroomBytes { get; }

    public int QueueCapacity { get; }
    public TimeSpan MaxQueueWait { get; }

    public long Admitted => Interlocked.Read(ref admitted);
    public long Queued => Interlocked.Read(ref queued);
    public long Refused => Interlocked.Read(ref refused);
    public long Collections => Interlocked.Read(ref collections);

    public long ReservedBytes
    {
        get { lock (gate) return reserved; }
    }

    public int WaitingNow
    {
        get { lock (gate) return waiting; }
    }

    /// <summary>Reserves `budget` bytes or says why not. Every Admitted* outcome must be paired with Release(budget).</summary>
    public AdmissionOutcome Admit(long budget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        lock (gate)
            if (TryReserve(budget)) return Count(AdmissionOutcome.Admitted);

        gauge.Collect();
        Interlocked.Increment(ref collections);

        lock (gate)
        {
            if (TryReserve(budget)) return Count(AdmissionOutcome.Admitted);
            long room = gauge.HeapLimitBytes - gauge.LiveBytesAfterLastGc - (HeadroomBytes > 0 && budget >= HeadroomBytes ? HeadroomBytes : 0);
            if (budget > room) return Count(AdmissionOutcome.RefusedNeverFits);
            if (waiting >= QueueCapacity) return Count(AdmissionOutcome.RefusedQueueFull);
            waiting++;
            Interlocked.Increment(ref queued);
            try
            {
                // Re-check at least every 10 ms: the live figure can also drop after a GC another
                // thread ran, which pulses nobody.
                long deadline = Ipc.Deadline.After((ulong)Math.Max(0, MaxQueueWait.TotalMilliseconds));
                while (!TryReserve(budget))
                {
                    long slice = Ipc.Deadline.After(10);
                    if (!Ipc.Deadline.Wait(gate, Math.Min(deadline, slice)) && System.Diagnostics.Stopwatch.GetTimestamp() >= deadline)
                        return Count(AdmissionOutcome.RefusedWaitedTooLong);
                }
                return Count(AdmissionOutcome.AdmittedAfterQueueing);
            }
            finally
            {
                waiting--;
            }
        }
    }

    /// <summary>Returns an admitted request's budget and wakes the requests queued for room.</summary>
    public void Release(long budget)
    {
        lock (gate)
        {
            reserved -= budget;
            if (reserved < 0) throw new InvalidOperationException("released more heap budget than was reserved");
            Monitor.PulseAll(gate);
        }
    }

    // gate held
    private bool TryReserve(long budget)
    {
        if (budget == 0) return true;   // needs no heap, so it cannot run out of it
        long free = gauge.HeapLimitBytes - gauge.LiveBytesAfterLastGc - reserved;
        if (HeadroomBytes > 0 && budget >= HeadroomBytes) free -= HeadroomBytes;
        if (budget > free) return false;
        reserved += budget;
        return true;
    }

    private AdmissionOutcome Count(AdmissionOutcome outcome)
    {
        Interlocked.Increment(ref outcome is AdmissionOutcome.Admitted or AdmissionOutcome.AdmittedAfterQueueing ? ref admitted : ref refused);
        return outcome;
    }

    public static bool IsAdmitted(AdmissionOutcome outcome) =>
        outcome is AdmissionOutcome.Admitted or AdmissionOutcome.AdmittedAfterQueueing;
}
