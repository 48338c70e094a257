// Up to four capability handles, the most one IPC message carries (IpcBuffer.MaxHandles), held by
// value so that passing handles with a request or reply allocates nothing.
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Ipc;

public struct HandleList
{
    public const int Capacity = IpcBuffer.MaxHandles;
    private uint h0, h1, h2, h3;

    public int Count { get; private set; }

    /// <summary>Adds a handle; false (nothing added) when four are held already.</summary>
    public bool Add(Handle handle)
    {
        switch (Count)
        {
            case 0: h0 = handle.Value; break;
            case 1: h1 = handle.Value; break;
            case 2: h2 = handle.Value; break;
            case 3: h3 = handle.Value; break;
            default: return false;
        }
        Count++;
        return true;
    }

    public readonly Handle this[int index] =>
        (uint)index < (uint)Count
            ? new Handle(index switch { 0 => h0, 1 => h1, 2 => h2, _ => h3 })
            : throw new ArgumentOutOfRangeException(nameof(index), $"{index} is not below the {Count} handles held");

    /// <summary>The handles a received message carries (its count clamped to 4).</summary>
    public static HandleList FromMessage(IpcBuffer message)
    {
        var list = new HandleList();
        int count = (int)Math.Min(message.HandleCount, (uint)Capacity);
        for (int i = 0; i < count; i++) list.Add(new Handle(message.GetHandle(i)));
        return list;
    }

    /// <summary>Writes these handles and their count into a message about to be sent.</summary>
    public readonly void WriteTo(IpcBuffer message)
    {
        for (int i = 0; i < Count; i++) message.SetHandle(i, this[i].Value);
        message.HandleCount = (uint)Count;
    }
}
