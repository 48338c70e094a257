// WaitCancellation: how a blocked wait learns that its caller no longer waits.
// In the posix server a forwarded system call is cancelled when a signal arrives for the caller
// (its pending IPC reply is abandoned); every blocking operation here then returns -EINTR.
// Blocking operations re-read IsCancelled at least every WaitSlice.MaxMilliseconds (10 ms).
namespace Biscuit.Posix.Events;

/// <summary>"The caller no longer waits" (posix: ipc_reply_pending == 0). Read from the waiting thread.</summary>
public interface IWaitCancellation
{
    bool IsCancelled { get; }
}

/// <summary>Ready-made cancellations.</summary>
public static class WaitCancellation
{
    /// <summary>A wait that is never cancelled.</summary>
    public static IWaitCancellation Never { get; } = new NeverCancelled();

    private sealed class NeverCancelled : IWaitCancellation
    {
        public bool IsCancelled => false;
    }

    /// <summary>A null cancellation (a caller's bug) is read as "never cancelled", not as a crash.</summary>
    internal static IWaitCancellation OrNever(IWaitCancellation? cancel) => cancel ?? Never;
}
