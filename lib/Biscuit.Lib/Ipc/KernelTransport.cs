// The transports over real Biscuit endpoints: each operation is one system call on the calling
// thread's IPC buffer. Construct and use them on the thread that calls (the buffer is per thread).
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Ipc;

public sealed class KernelClientTransport(Endpoint endpoint) : IClientTransport
{
    public Endpoint Endpoint { get; } = endpoint;
    public IpcBuffer Buffer => IpcBuffer.Current;
    public KernelError Call(ulong timeoutMs) => Endpoint.Call(timeoutMs);
}

public sealed class KernelServerTransport(Endpoint endpoint) : IServerTransport
{
    public Endpoint Endpoint { get; } = endpoint;
    public IpcBuffer Buffer => IpcBuffer.Current;
    public KernelError Receive(ulong timeoutMs) => Endpoint.Receive(timeoutMs);
    public KernelError ReplyReceive(ulong timeoutMs) => Endpoint.ReplyReceive(timeoutMs);
}
