// fs's data window as posix sees it on Biscuit (Biscuit.Posix.Links/FsDataWindow.cs): the pages fs
// grants at DefaultAddress — and net's socket window (NetDataWindow.cs) at NetWindowAddress, 1 MiB
// each — ranges nothing else in posix uses (the kernel places mmaps from
// 0x1000_0000_0000 up, and posix's own image sits low). IsMapped probes with memory_map, as fs does
// for the block driver's window: EEXIST means the granted pages are there; success means they are
// not (the page just mapped is unmapped at once, leaving the range free for fs's next grant).
using Biscuit.Lib.Kernel;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Server;

public sealed unsafe class KernelDataWindowView(long address = KernelDataWindowView.DefaultAddress) : IDataWindowView
{
    public const long DefaultAddress = 0x7200_0000;
    public const long NetWindowAddress = 0x7400_0000;

    public long Address { get; } = address;

    public bool IsMapped()
    {
        long r = Syscalls.Invoke(SyscallNumbers.MemoryMap, Address, 1, 0);
        if (r == -(long)KernelError.Exists) return true;
        if (r == 0) Syscalls.Invoke(SyscallNumbers.MemoryUnmap, Address, 1);
        return false;
    }

    public Span<byte> Bytes(int offset, int length) => new((byte*)Address + offset, length);
}
