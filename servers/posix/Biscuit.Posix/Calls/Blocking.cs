// How a call that would block waits inside posix (issue 7 ABI, "Blocking and signals"): the
// operation answers -EAGAIN, the worker thread then waits for the description's readiness and tries
// again, unless the description is non-blocking. The wait wakes on every readiness edge and at least
// every 10 ms to ask whether the caller still waits (IWaitCancellation: ipc_reply_pending); if it
// gave up (a signal), the call ends with -EINTR and its reply is discarded by the kernel.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public static class Blocking
{
    public const int RecheckMilliseconds = 10;

    /// <summary>Runs `attempt` until it answers something other than -EAGAIN (or at once if non-blocking).</summary>
    public static long Retry(OpenFile file, Readiness wanted, CallContext call, Func<long> attempt, bool nonBlocking = false)
    {
        while (true)
        {
            long result = attempt();
            if (result != -Errno.EAGAIN || nonBlocking || file.NonBlocking) return result;
            long waited = WaitFor(file, wanted, call.Cancel);
            if (waited < 0) return waited;
        }
    }

    /// <summary>Blocks until `file` is ready for `wanted` (or in error or hung up): 0, or -EINTR when cancelled.</summary>
    public static long WaitFor(IPollable file, Readiness wanted, IWaitCancellation cancel)
    {
        var mask = wanted | Readiness.Err | Readiness.Hup;
        using var observer = new WakeOnChange();
        file.Subscribe(observer);
        try
        {
            while (true)
            {
                if ((file.CurrentReadiness() & mask) != 0) return 0;
                if (cancel.IsCancelled) return -Errno.EINTR;
                observer.Wait(RecheckMilliseconds);
            }
        }
        finally
        {
            file.Unsubscribe(observer);
        }
    }

    private sealed class WakeOnChange : IReadinessObserver, IDisposable
    {
        private readonly ManualResetEventSlim changed = new(false);

        public void ReadinessChanged(IPollable source, Readiness now) => changed.Set();

        public void Wait(int milliseconds)
        {
            changed.Wait(milliseconds);
            changed.Reset();
        }

        public void Dispose() => changed.Dispose();
    }
}

/// <summary>The cancellation of a caller that never gives up (the first exec, tests).</summary>
public sealed class NeverCancelled : IWaitCancellation
{
    public static readonly NeverCancelled Instance = new();
    public bool IsCancelled => false;
}
