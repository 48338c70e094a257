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

/// <summary>A kernel notification received with Subscribe.</summary>
public sealed class NotificationSignal(Handle handle) : IReadinessSignal
{
    public void Signal() => new Notification(handle).Signal(SocketRequests.ReadinessSignalBit);
    public void Release() => handle.Close();
}
