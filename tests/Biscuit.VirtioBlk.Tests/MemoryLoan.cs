// The pages fs lends the driver for direct reads, on the host: unmanaged memory that stands for fs's
// data window, lent (fs's grant_create to the driver's endpoint) and pinned (the driver's dma_pin) —
// the "physical address" of a page is its host address, through which MemoryDisk.ReadInto writes as
// the device DMAs. A driver's death takes the loan away from its address space (the new instance has
// nothing there until fs lends again); LendErrno lets a test refuse a loan as the kernel would.
using System.Runtime.InteropServices;
using Biscuit.Block.Protocol;
using Biscuit.Fs.Service;
using Biscuit.VirtioBlk;

namespace Biscuit.VirtioBlk.Tests;

public sealed unsafe class MemoryLoan : IWindowLoan, IDirectPin, IDisposable
{
    public const int EFAULT = 14;
    public readonly byte* Memory = (byte*)NativeMemory.AllocZeroed((nuint)(DirectWindow.MaxPages * DirectWindow.PageBytes));
    private volatile bool lent;       // the pages are granted into the driver now serving
    public int LendErrno;
    public int Lends, PinCalls;

    public int Pages => DirectWindow.MaxPages;

    public Span<byte> Bytes(long offset, int length) => new(Memory + offset, length);

    public int LendToDriver()
    {
        if (LendErrno != 0) return LendErrno;
        Lends++;
        lent = true;
        return 0;
    }

    public void DriverDied() => lent = false;

    public int Pin(int pages)
    {
        PinCalls++;
        return lent && pages <= Pages ? 0 : EFAULT;
    }

    public ulong PhysicalPage(int index) => (ulong)(Memory + (long)index * DirectWindow.PageBytes);

    public void Dispose() => NativeMemory.Free(Memory);
}
