// The pages a client lent the driver for direct reads (Biscuit.Block.Protocol/DirectContracts.cs),
// pinned with dma_pin (Syscalls.md 0x86D) so that the device may DMA into them: the kernel answers
// each page's physical address and keeps the frames from being freed until the driver unpins them
// or dies (after its device's bus mastering is off). At most one pin exists: a new Pin unpins the
// previous one first (a restarted client lends new pages; the old ones go back to whoever holds them).
// Invariant: `pin` and `physical` change only in Pin, which BlockService calls under its pin gate with
// no direct read in flight, so a read's physical addresses stay pinned until it completes.
using Biscuit.Block.Protocol;
using Biscuit.Lib.Kernel;

namespace Biscuit.VirtioBlk;

public interface IDirectPin
{
    /// <summary>Unpins the previous pages (if any) and pins `pages` lent pages at DirectWindow.Address.
    /// Returns 0 or a Linux errno (the kernel's: EFAULT nothing lent there, EACCES lent read-only...).</summary>
    int Pin(int pages);

    /// <summary>The physical address of lent page `index` (index below the pinned count).</summary>
    ulong PhysicalPage(int index);
}

public sealed unsafe class KernelDirectPin : IDirectPin
{
    private readonly ulong[] physical = new ulong[DirectWindow.MaxPages];
    private long pin;       // the kernel's pin id, 0 when none

    public int Pin(int pages)
    {
        if (pin > 0)
        {
            Syscalls.Invoke(SyscallNumbers.DmaUnpin, pin);
            pin = 0;
        }
        fixed (ulong* addresses = physical)
        {
            long r = Syscalls.Invoke(SyscallNumbers.DmaPin, DirectWindow.Address, pages, (long)addresses);
            if (r < 0) return (int)-r;
            pin = r;
        }
        return 0;
    }

    public ulong PhysicalPage(int index) => physical[index];
}
