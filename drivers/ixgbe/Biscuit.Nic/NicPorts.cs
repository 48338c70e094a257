// What NicService needs from the world around it, so that its handlers run on the host in tests:
// the device's registers (INicHardware: E1000Hardware or Ixgbe82599Hardware, device models in tests), the grant
// of the slot window to the caller (ISlotWindow), the client's wake-up (IClientSignal) and whether
// the caller of the request being served still waits (for Hold: ipc_reply_pending on Biscuit).
namespace Biscuit.Nic;

public interface INicHardware
{
    ulong Mac { get; }
    bool LinkUp { get; }

    /// <summary>Reads and clears the interrupt cause register (ICR, 82574 §10.2.4.1; EICR, 82599 §8.2.3.5.1).</summary>
    uint ReadCause();

    /// <summary>RDT: the device may fill descriptors up to (not including) `tail`.</summary>
    void WriteRxTail(int tail);

    /// <summary>TDT: the device may send descriptors up to (not including) `tail`.</summary>
    void WriteTxTail(int tail);
}

/// <summary>A NIC model the driver can bring up: E1000Hardware (e1000, e1000e) or Ixgbe82599Hardware.</summary>
public interface INicDevice : INicHardware
{
    string Model { get; }

    /// <summary>The descriptor layout its rings use (SlotRings is made with it).</summary>
    DescriptorFormat Format { get; }

    /// <summary>Resets the device and programs it: MAC read, RX ring of SlotRings.RxDescriptors
    /// descriptors at `ringsPhysical`, the TX ring right after it, both enabled, interrupts masked.
    /// Null, or why the device did not come up.</summary>
    string? Initialize(ulong ringsPhysical);

    /// <summary>Unmasks the interrupt causes the driver serves (after the RX ring was filled).</summary>
    void EnableInterrupts();
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
