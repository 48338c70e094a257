// How the service wakes its subscriber (posix) when some socket's readiness changed: on Biscuit a
// signal on the notification posix passed with Subscribe; in host tests anything that counts.
// Signal must not block (it is a notify_signal system call, never an IPC wait).
using Biscuit.Lib.Kernel;
using Biscuit.Net.Protocol;

namespace Biscuit.Net.Service;

public interface IReadinessSignal
{
    void Signal();

    /// <summary>The subscriber was replaced: give back what the signal holds (the handle).</summary>
    void Release();
}

/// <summary>A kernel notification received with Subscribe. Counts signals and failed signals
/// (the first failure is logged once: a subscriber that cannot be woken is a broken system).</summary>
public sealed class NotificationSignal(Handle handle) : IReadinessSignal
{
    private long sent, failed;                          // Interlocked: signalled from any thread

    public static long TotalSent, TotalFailed;          // Interlocked; for NetCounters

    public void Signal()
    {
        var error = new Notification(handle).Signal(SocketRequests.ReadinessSignalBit);
        if (error == KernelError.None) { Interlocked.Increment(ref sent); Interlocked.Increment(ref TotalSent); return; }
        Interlocked.Increment(ref TotalFailed);
        if (Interlocked.Increment(ref failed) == 1) Console.WriteLine($"net: signalling the readiness subscriber ({handle}) failed: {error.Symbol()}");
    }

    public void Release() => handle.Close();
}
