// A synchronous IPC endpoint (Syscalls.md "IPC"; seL4-style): senders and receivers rendezvous,
// nothing is buffered in the kernel. Every operation moves the message in the *calling thread's*
// IPC buffer (see IpcBuffer.Current), so a thread must fill its buffer and call on the same thread.
namespace Biscuit.Lib.Kernel;

public readonly record struct Endpoint(Handle Handle)
{
    /// <summary>endpoint_create: a new endpoint, with Send, Receive, Transfer and Duplicate rights.</summary>
    public static KernelResult<Endpoint> Create()
    {
        long r = Syscalls.Invoke(SyscallNumbers.EndpointCreate);
        return r < 0 ? KernelResult<Endpoint>.Fail(KernelErrors.FromResult(r)) : KernelResult<Endpoint>.Ok(new Endpoint(new Handle((uint)r)));
    }

    /// <summary>ipc_call: send the buffer's message and wait for the reply, which replaces it.
    /// Timeout 0 is EINVAL (a call always waits); OwnerDead if the server died before replying.</summary>
    public KernelError Call(ulong timeoutMs) => Syscalls.Call(Handle.Value, timeoutMs);

    /// <summary>ipc_send: one-way; returns when a receiver took the message (EAGAIN with timeout 0 and none waiting).</summary>
    public KernelError Send(ulong timeoutMs) => Syscalls.Send(Handle.Value, timeoutMs);

    /// <summary>ipc_recv: wait for a message; receiving makes this process the endpoint's server.</summary>
    public KernelError Receive(ulong timeoutMs) => Syscalls.Receive(Handle.Value, timeoutMs);

    /// <summary>ipc_reply_recv: reply with the buffer to the last call received (if its caller still
    /// waits), then receive the next message into the same buffer.</summary>
    public KernelError ReplyReceive(ulong timeoutMs) => Syscalls.ReplyReceive(Handle.Value, timeoutMs);

    public KernelResult<Endpoint> Duplicate(Rights rights, ulong badge = 0)
    {
        var d = Handle.Duplicate(rights, badge);
        return d.IsOk ? KernelResult<Endpoint>.Ok(new Endpoint(d.Value)) : KernelResult<Endpoint>.Fail(d.Error);
    }

    public KernelError Close() => Handle.Close();
}
