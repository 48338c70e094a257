// What the client and the server loop need from IPC, so that the same code runs over kernel
// endpoints (KernelTransport.cs) and, in host tests, over an in-memory rendezvous
// (InMemoryEndpoint.cs) that keeps the kernel's semantics.
// A transport owns one IPC buffer: a message is written into Buffer, the operation moves it, and
// the answer is read from the same Buffer. A transport is used by one thread at a time (the kernel
// buffer belongs to the calling thread); a server with several worker threads uses one server
// transport per thread, all on the same endpoint.
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Ipc;

public interface IClientTransport
{
    /// <summary>This caller's IPC buffer: write the request here; after Call it holds the reply.</summary>
    IpcBuffer Buffer { get; }

    /// <summary>ipc_call: None with the reply in Buffer, or TimedOut, OwnerDead (server died before
    /// replying), Canceled (server received again without replying), MessageTooLong, InvalidArgument
    /// (timeout 0, too many handles), BadHandle.</summary>
    KernelError Call(ulong timeoutMs);
}

public interface IServerTransport
{
    /// <summary>This server thread's IPC buffer: after a receive it holds the request; write the reply here.</summary>
    IpcBuffer Buffer { get; }

    /// <summary>ipc_recv: None with a message in Buffer; WouldBlock (timeout 0), TimedOut, BadHandle
    /// (the endpoint is gone, or this server was killed).</summary>
    KernelError Receive(ulong timeoutMs);

    /// <summary>ipc_reply_recv: reply with Buffer to the call last received (if its caller still waits;
    /// silently dropped otherwise), then receive as Receive does.</summary>
    KernelError ReplyReceive(ulong timeoutMs);
}
