// IForwardedCallEndpoint over the kernel: one worker thread's IPC buffer on the personality endpoint.
// Receive and ipc_reply_recv move messages in the calling thread's buffer (so each worker owns one
// instance and uses it on its own thread); CallerStillWaits is ipc_reply_pending.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public sealed class KernelPersonalityEndpoint(Endpoint endpoint) : IForwardedCallEndpoint
{
    private readonly byte[] payload = new byte[Biscuit.Posix.ForwardedCall.PayloadBytes];   // owner: the worker thread

    public long Receive(out ulong label, out ulong badge, out ReadOnlySpan<byte> received)
    {
        var e = endpoint.Receive(Syscalls.Forever);
        return Take(e, out label, out badge, out received);
    }

    public long ReplyReceive(long result, out ulong label, out ulong badge, out ReadOnlySpan<byte> received)
    {
        Biscuit.Lib.Kernel.ForwardedCall.WriteReply(IpcBuffer.Current, result);
        var e = endpoint.ReplyReceive(Syscalls.Forever);
        return Take(e, out label, out badge, out received);
    }

    /// <summary>ipc_reply_pending: 1 while the caller waits; 0 once it gave up; ESRCH (nothing owed) counts as gone.</summary>
    public bool CallerStillWaits()
    {
        var r = Biscuit.Lib.Kernel.ForwardedCall.ReplyPending();
        return r.IsOk && r.Value;
    }

    private long Take(KernelError e, out ulong label, out ulong badge, out ReadOnlySpan<byte> received)
    {
        label = badge = 0;
        received = default;
        if (e != KernelError.None) return -(long)e;
        var buffer = IpcBuffer.Current;
        label = buffer.Label;
        badge = buffer.Badge;
        var span = buffer.PayloadSpan;
        int n = Math.Min(span.Length, payload.Length);
        span[..n].CopyTo(payload);
        received = payload.AsSpan(0, n);
        return 0;
    }
}
