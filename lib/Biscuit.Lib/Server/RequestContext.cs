// What a handler may know about the request beyond its body: which request type, the badge of the
// caller's capability (how a server tells its clients apart), the handles that came with the
// message, and the handles to send back with an Ok reply (at most 4, each with Transfer right).
// A mutable struct passed by ref to the handler; it lives on the worker's stack for one request.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

namespace Biscuit.Lib.Server;

public struct RequestContext
{
    private ReceivedHandles received;
    private ReceivedHandles reply;

    public RequestTypeInfo RequestType { get; }
    public ulong Badge { get; }

    /// <summary>Handles the kernel could not deliver to us (our table was full).</summary>
    public ulong DroppedHandles { get; }

    internal RequestContext(RequestTypeInfo type, IpcBuffer request)
    {
        RequestType = type;
        Badge = request.Badge;
        DroppedHandles = request.Dropped;
        received = default;
        reply = default;
        int count = (int)Math.Min(request.HandleCount, (uint)IpcBuffer.MaxHandles);
        for (int i = 0; i < count; i++) received.Add(request.GetHandle(i));
    }

    public readonly int HandleCount => received.Count;
    public readonly Handle GetHandle(int index) => new(received.Get(index));

    /// <summary>Attaches a handle to the Ok reply; false when 4 are attached already.</summary>
    public bool AttachReplyHandle(Handle handle) => reply.Add(handle.Value);

    internal readonly int ReplyHandleCount => reply.Count;
    internal readonly uint GetReplyHandle(int index) => reply.Get(index);

    private struct ReceivedHandles
    {
        private uint h0, h1, h2, h3;
        public int Count { get; private set; }

        public bool Add(uint handle)
        {
            switch (Count)
            {
                case 0: h0 = handle; break;
                case 1: h1 = handle; break;
                case 2: h2 = handle; break;
                case 3: h3 = handle; break;
                default: return false;
            }
            Count++;
            return true;
        }

        public readonly uint Get(int index)
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            return index switch { 0 => h0, 1 => h1, 2 => h2, _ => h3 };
        }
    }
}

/// <summary>A handler with access to the request's context.</summary>
public delegate TResponse RequestHandler<TRequest, TResponse>(ref RequestContext context, TRequest request);
