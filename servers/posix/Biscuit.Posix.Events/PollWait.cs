// PollWait: the core of poll(2) and select(2) (fs/select.c do_poll). Each entry's revents is the target's
// readiness (with the RDNORM/WRNORM twins) masked by what was asked plus POLLERR|POLLHUP, or POLLNVAL for an
// fd that is not open; entries of negative fds are skipped. Returns how many entries have revents != 0.
// Blocking: the waiter subscribes to every target, looks again (no lost wake-up), and sleeps until a
// target wakes it, the timeout passes, or - re-checked at least every 10 ms - the caller is cancelled.
namespace Biscuit.Posix.Events;

/// <summary>poll(2)/select(2) over resolved entries.</summary>
public static class PollWait
{
    /// <summary>Returns the number of ready entries, 0 on timeout (0 = do not block, negative = forever),
    /// -EINTR when cancelled before anything was ready.</summary>
    public static int Wait(Span<PollEntry> entries, int timeoutMs, IWaitCancellation cancel)
    {
        cancel = WaitCancellation.OrNever(cancel);
        int ready = Scan(entries);
        if (ready > 0 || timeoutMs == 0) return ready;
        if (cancel.IsCancelled) return -LinuxErrno.EINTR;

        var deadline = WaitDeadline.After(timeoutMs);
        var waiter = PollWaiter.ForThisThread();
        SubscribeAll(entries, waiter);
        try
        {
            while (true)
            {
                waiter.Reset();
                ready = Scan(entries);
                if (ready > 0) return ready;
                if (deadline.HasPassed) return 0;
                if (cancel.IsCancelled) return -LinuxErrno.EINTR;
                waiter.Sleep(deadline.NextSliceMilliseconds());
            }
        }
        finally
        {
            UnsubscribeAll(entries, waiter);
        }
    }

    /// <summary>The revents of one entry, from the target's readiness now.</summary>
    public static short ReventsOf(in PollEntry entry)
    {
        if (entry.IsIgnored) return 0;
        if (entry.Target is null) return (short)PollBits.POLLNVAL;
        uint wanted = (ushort)entry.Events | PollBits.AlwaysReported;
        return (short)(PollBits.Expand(entry.Target.CurrentReadiness()) & wanted);
    }

    private static int Scan(Span<PollEntry> entries)
    {
        int ready = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i].Revents = ReventsOf(entries[i]);
            if (entries[i].Revents != 0) ready++;
        }
        return ready;
    }

    private static void SubscribeAll(Span<PollEntry> entries, PollWaiter waiter)
    {
        foreach (ref readonly var entry in entries)
            if (!entry.IsIgnored) entry.Target?.Subscribe(waiter);
    }

    private static void UnsubscribeAll(Span<PollEntry> entries, PollWaiter waiter)
    {
        foreach (ref readonly var entry in entries)
            if (!entry.IsIgnored) entry.Target?.Unsubscribe(waiter);
    }
}
