// The block driver's slot window as fs sees it: pages the driver granted to this process at a fixed
// address (drivers/virtio-blk/README.md). The driver owns them: when it dies the kernel revokes the
// grant and the pages vanish from fs, so fs must never touch the window without first asking
// IsMapped — a touch of a vanished page would kill fs. KernelBlockWindow asks the kernel; tests
// use a window of their own memory.
namespace Biscuit.Fs.Service;

public interface IBlockWindow
{
    /// <summary>Where the driver is asked to grant its slots (page aligned, free in this process).</summary>
    long Address { get; }

    /// <summary>True while the driver's grant is in place.</summary>
    bool IsMapped();

    /// <summary>The window's bytes from `offset` (only after IsMapped said true).</summary>
    Span<byte> Bytes(int offset, int length);
}

/// <summary>The real window. IsMapped probes with memory_map: EEXIST means the granted pages are
/// there; success means they are not (the page just mapped is unmapped again at once).</summary>
public sealed unsafe class KernelBlockWindow(long address) : IBlockWindow
{
    public const long DefaultAddress = 0x7100_0000;

    public long Address { get; } = address;

    public bool IsMapped()
    {
        long r = Biscuit.Lib.Kernel.Syscalls.Invoke(Biscuit.Lib.Kernel.SyscallNumbers.MemoryMap, Address, 1, 0);
        if (r == -(long)Biscuit.Lib.Kernel.KernelError.Exists) return true;
        if (r == 0) Biscuit.Lib.Kernel.Syscalls.Invoke(Biscuit.Lib.Kernel.SyscallNumbers.MemoryUnmap, Address, 1);
        return false;
    }

    public Span<byte> Bytes(int offset, int length) => new((byte*)Address + offset, length);
}
