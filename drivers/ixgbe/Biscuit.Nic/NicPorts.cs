// What NicService needs from the world around it, so that its handlers run on the host in tests:
// the device's registers (INicHardware: E1000Hardware on Biscuit, a fake device in tests), the grant
// of the slot window to the caller (ISlotWindow), the client's wake-up (IClientSignal) and whether
// the caller of the request being served still waits (for Hold: ipc_reply_pending on Biscuit).
namespace Biscuit.Nic;

public interface INicHardware
{
    ulong Mac { get; }
    bool LinkUp { get; }

    /// <summary>Reads (and so clears) the interrupt cause register (ICR, 82574 §10.2.4.1).</summary>
    uint ReadCause();

    /// <summary>RDT: the device may fill descriptors up to (not including) `tail`.</summary>
    void WriteRxTail(int tail);

    /// <summary>TDT: the device may send descriptors up to (not including) `tail`.</summary>
    void WriteTxTail(int tail);
}

public interface ISlotWindow
{
    /// <summary>Revokes the current grants (if any) and grants the RX slots read-only at
    /// `targetAddress` and the TX slots writable right after them, to the caller being served.
    /// Returns 0 or a Linux errno.</summary>
    int GrantToCaller(long targetAddress);
}

public interface IClientSignal
{
    /// <summary>Tells the client frames wait (notify_signal; never blocks).</summary>
    void Signal();

    /// <summary>Lets the handle go (the client changed or left).</summary>
    void Release();
}
