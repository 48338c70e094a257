// A NIC's registers as the hardware classes (E1000Hardware, Ixgbe82599Hardware) see them: 32-bit
// reads and writes at byte offsets into the register BAR. On Biscuit, MmioRegisters makes volatile
// accesses to the BAR mapped uncached; in host tests a model of the device implements it and reacts
// to writes as the device does (a tail write makes it take descriptors, a reset clears it).
// Invariant: nothing else touches a device's registers; every access is one aligned 32-bit access.
namespace Biscuit.Nic;

public interface IRegisterFile
{
    uint Read(int offset);
    void Write(int offset, uint value);
}

public unsafe sealed class MmioRegisters(byte* mapped) : IRegisterFile
{
    public uint Read(int offset) => Volatile.Read(ref *(uint*)(mapped + offset));
    public void Write(int offset, uint value) => Volatile.Write(ref *(uint*)(mapped + offset), value);
}

/// <summary>Bounded waits of a bring-up sequence: `Until` polls a condition every millisecond at most
/// `ms` times (Syscalls.Sleep on Biscuit; a no-op pause in host tests, whose models answer at once).</summary>
public sealed class DeviceClock(Action<int> sleepMs)
{
    public void Sleep(int ms) => sleepMs(ms);

    public bool Until(Func<bool> condition, int ms)
    {
        for (int i = 0; i < ms; i++)
        {
            if (condition()) return true;
            sleepMs(1);
        }
        return condition();
    }
}
