// The pages of net's socket data window (Biscuit.Net.Protocol/SocketWindow.cs) as net holds them:
// its own memory, outside the GC heap, granted into the client whose MapWindow is being served. At
// most one grant exists at a time (a new grant revokes the previous one). Guarded by StackHost.Gate.
// KernelSocketWindowPages is the real one (lib's GrantedWindow); the host tests use memory a fake
// client can see.
using Biscuit.Annotations;
using Biscuit.Lib.Kernel;
using Biscuit.Net.Protocol;

namespace Biscuit.Net.Service;

public interface ISocketWindowPages
{
    /// <summary>Grants the window to the caller being served, at `address`: 0, or a negated errno
    /// (EEXIST: the client uses that range; EFAULT: not a user address; ENOMEM; ESRCH).</summary>
    int GrantToCaller(long address);

    /// <summary>Takes the window back from the client (nothing if none is granted).</summary>
    void Revoke();

    /// <summary>net's own view of the window's bytes from `offset` (only after a grant).</summary>
    Span<byte> Bytes(int offset, int length);
}

/// <summary>The window on Biscuit: SocketWindowLimits.WindowBytes of native memory, granted with grant_create.</summary>
public sealed class KernelSocketWindowPages : ISocketWindowPages
{
    private readonly GrantedWindow window = new(SocketWindowLimits.WindowBytes);

    [AssumeAllocation(0)]
    public int GrantToCaller(long address) => window.GrantToCaller(address);

    [AssumeAllocation(0)]
    public void Revoke() => window.Revoke();

    public Span<byte> Bytes(int offset, int length) => window.Bytes(offset, length);
}
