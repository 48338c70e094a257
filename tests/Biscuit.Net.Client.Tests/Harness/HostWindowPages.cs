// The socket data window's pages on the host: an array both the service (as net's own view) and the
// test (as the client's view of the granted pages) read and write, with the grants counted.
using Biscuit.Net.Protocol;
using Biscuit.Net.Service;

namespace Biscuit.Net.Client.Tests.Harness;

public sealed class HostWindowPages : ISocketWindowPages
{
    public readonly byte[] Memory = new byte[SocketWindowLimits.WindowBytes];
    private readonly object gate = new();
    private int grants, revokes;          // guarded by gate
    private bool granted;                 // guarded by gate

    /// <summary>What GrantToCaller answers instead of granting (0: grant).</summary>
    public int FailWith { get; set; }
    public long LastAddress { get; private set; }

    public int Grants { get { lock (gate) return grants; } }
    public int Revokes { get { lock (gate) return revokes; } }
    public bool Granted { get { lock (gate) return granted; } }

    public int GrantToCaller(long address)
    {
        lock (gate)
        {
            if (FailWith != 0) return FailWith;
            if (granted) revokes++;       // a new grant revokes the previous one, as the kernel's does
            grants++;
            granted = true;
            LastAddress = address;
            return 0;
        }
    }

    public void Revoke()
    {
        lock (gate)
        {
            if (!granted) return;
            granted = false;
            revokes++;
        }
    }

    public Span<byte> Bytes(int offset, int length) => Memory.AsSpan(offset, length);

    /// <summary>The client's view of slot `slot` from `offset`.</summary>
    public Span<byte> Slot(int slot, int offset, int length) => Memory.AsSpan(slot * SocketWindowLimits.SlotBytes + offset, length);
}
