// The test stand-ins for the device and the grant: a disk in a byte array, slots in unmanaged memory
// (the "DMA window"), and a grant that only flips whether the client's view of the window is mapped.
// Transfers copy between disk and slot under a lock; a test may hold transfers at a gate (to have
// several in flight) or run a hook before one (to kill the driver in the middle of a request).
using System.Runtime.InteropServices;
using Biscuit.Block.Protocol;
using Biscuit.Fs.Service;
using Biscuit.VirtioBlk;

namespace Biscuit.VirtioBlk.Tests;

public sealed unsafe class MemoryDisk : IDiskQueue, IDisposable
{
    public readonly byte[] Contents;
    public readonly byte* SlotMemory;
    private readonly object gate = new();
    private int held;                 // guarded by gate: transfers waiting at the gate
    private bool holding;             // guarded by gate

    public MemoryDisk(long sectors, int slots = 4, int slotBytes = 8192)
    {
        Contents = new byte[sectors * 512];
        Slots = slots;
        SlotBytes = slotBytes;
        SlotMemory = (byte*)NativeMemory.AllocZeroed((nuint)(slots * slotBytes));
    }

    public long Sectors => Contents.Length / 512;
    public bool CanFlush => true;
    public int QueueSize => 128;
    public int MaxInFlight => 42;
    public int Slots { get; }
    public int SlotBytes { get; }
    public long Interrupts => 0;
    public int Flushes;
    public int DeviceErrorsToReport;

    /// <summary>Runs (once) before the next transfer touches anything.</summary>
    public Action? BeforeNextTransfer;

    public Span<byte> Slot(int slot) => new(SlotMemory + slot * SlotBytes, SlotBytes);

    public void HoldTransfers() { lock (gate) holding = true; }

    public void ReleaseTransfers() { lock (gate) { holding = false; Monitor.PulseAll(gate); } }

    public bool WaitUntilHeld(int count, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        lock (gate)
            while (held < count)
                if (!Monitor.Wait(gate, end - DateTime.UtcNow > TimeSpan.Zero ? end - DateTime.UtcNow : TimeSpan.Zero)) return held >= count;
        return true;
    }

    /// <summary>What a new driver instance does first (VirtioDisk.Start): the device drops every
    /// request in flight, so a dead instance's request never lands after its successor's.</summary>
    public void Reset() => Interlocked.Increment(ref resets);

    private int resets;

    public BlockStatus Transfer(bool write, int slot, long sector, int sectors)
    {
        int generation = Volatile.Read(ref resets);
        var hook = Interlocked.Exchange(ref BeforeNextTransfer, null);
        hook?.Invoke();
        lock (gate)
        {
            if (Volatile.Read(ref resets) != generation)
                return new BlockStatus(BlockErrno.IoError, "memory disk: reset while the request was in flight");
            held++;
            Monitor.PulseAll(gate);
            while (holding) Monitor.Wait(gate);
            held--;
            if (DeviceErrorsToReport > 0)
            {
                DeviceErrorsToReport--;
                return new BlockStatus(BlockErrno.IoError, $"memory disk: sector {sector}: device status 1");
            }
            var onDisk = Contents.AsSpan((int)(sector * 512), sectors * 512);
            var inSlot = Slot(slot)[..(sectors * 512)];
            if (write) inSlot.CopyTo(onDisk); else onDisk.CopyTo(inSlot);
        }
        return BlockStatus.Done;
    }

    /// <summary>The lent pages' "physical" addresses are their host addresses (MemoryLoan), so the
    /// memory device writes through them as the real one DMAs.</summary>
    public BlockStatus ReadInto(IDirectPin pages, long offset, long sector, int sectors)
    {
        var hook = Interlocked.Exchange(ref BeforeNextTransfer, null);
        hook?.Invoke();
        lock (gate)
        {
            if (DeviceErrorsToReport > 0)
            {
                DeviceErrorsToReport--;
                return new BlockStatus(BlockErrno.IoError, $"memory disk: sector {sector}: device status 1");
            }
            for (long at = 0; at < (long)sectors * 512; at += 512)
            {
                long target = offset + at;
                byte* page = (byte*)pages.PhysicalPage((int)(target / 4096));
                Contents.AsSpan((int)(sector * 512 + at), 512).CopyTo(new Span<byte>(page + target % 4096, 512));
            }
        }
        return BlockStatus.Done;
    }

    public BlockStatus Flush()
    {
        Interlocked.Increment(ref Flushes);
        return BlockStatus.Done;
    }

    public void Dispose() => NativeMemory.Free(SlotMemory);
}

/// <summary>The grant and the client's window at once: Connect "maps" the slots for the client;
/// a driver's death unmaps them (the kernel revokes a dead process's grants).</summary>
public sealed unsafe class MemoryWindow(MemoryDisk disk) : IWindowGrant, IBlockWindow
{
    public const long ClientAddress = 0x7100_0000;
    private volatile bool mapped;
    public int GrantErrno;
    public long LastTarget;
    public int Grants;

    public int GrantToCaller(long targetAddress)
    {
        LastTarget = targetAddress;
        if (GrantErrno != 0) return GrantErrno;
        Grants++;
        mapped = true;
        return 0;
    }

    public void Revoke() => mapped = false;

    public long Address => ClientAddress;
    public bool IsMapped() => mapped;

    public Span<byte> Bytes(int offset, int length)
    {
        if (!mapped) throw new InvalidOperationException("the client touched a window that is not mapped (on Biscuit: fs would die)");
        return new Span<byte>(disk.SlotMemory + offset, length);
    }
}
