// What a handler may know about the request beyond its body: which request type, the badge of the
// caller's capability (how a server tells its clients apart), the handles that came with the
// message, and the handles to send back with an Ok reply (at most 4, each with the Transfer right).
// A mutable struct passed by ref to the handler; it lives on the worker's stack for one request.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

namespace Biscuit.Lib.Server;

public struct RequestContext
{
    private HandleList replyHandles;

    public RequestTypeInfo RequestType { get; }
    public ulong Badge { get; }

    /// <summary>Handles the kernel could not deliver to us (our table was full).</summary>
    public ulong DroppedHandles { get; }

    /// <summary>The handles that came with the request (now in this process's table).</summary>
    public HandleList Handles { get; }

    internal RequestContext(RequestTypeInfo type, IpcBuffer request)
    {
        RequestType = type;
        Badge = request.Badge;
        DroppedHandles = request.Dropped;
        Handles = HandleList.FromMessage(request);
        replyHandles = default;
    }

    public readonly int HandleCount => Handles.Count;
    public readonly Handle GetHandle(int index) => Handles[index];

    /// <summary>Attaches a handle to the Ok reply; false when 4 are attached already.</summary>
    public bool AttachReplyHandle(Handle handle) => replyHandles.Add(handle);

    internal readonly HandleList ReplyHandles => replyHandles;
}

/// <summary>A handler with access to the request's context.</summary>
public delegate TResponse RequestHandler<TRequest, TResponse>(ref RequestContext context, TRequest request);
