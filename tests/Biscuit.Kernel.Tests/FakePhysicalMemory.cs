// A block of host memory that stands in for physical memory in the tests: physical address P
// lives at host address Base + P, so the kernel's PhysicalWindow works unchanged with
// Offset = Base. Page-aligned, zeroed, freed on Dispose.
using System.Runtime.InteropServices;
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public sealed unsafe class FakePhysicalMemory : IDisposable
{
    public readonly ulong Bytes;
    public readonly byte* Base;

    public FakePhysicalMemory(ulong bytes)
    {
        Bytes = bytes;
        Base = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        NativeMemory.Clear(Base, (nuint)bytes);
    }

    public PhysicalWindow Window => new PhysicalWindow((ulong)Base);

    public void Dispose() => NativeMemory.AlignedFree(Base);
}

// A frame pool over fake memory: frames [firstFree, end) free, the rest in use. The bitmap lives
// in host memory of its own, so tests see exactly the frames they asked for.
public sealed unsafe class FakeFrames : IDisposable
{
    public readonly FakePhysicalMemory Memory;
    private readonly ulong* _bitmap;
    private readonly FramePool* _pool;

    public FakeFrames(ulong bytes, ulong firstFree = 4096)
    {
        Memory = new FakePhysicalMemory(bytes);
        ulong frames = bytes / FramePool.FrameSize;
        _bitmap = (ulong*)NativeMemory.Alloc((nuint)FramePool.BitmapBytes(frames));
        _pool = (FramePool*)NativeMemory.AllocZeroed((nuint)sizeof(FramePool));
        _pool->Initialize(_bitmap, frames);
        _pool->Free(firstFree, bytes);
    }

    public FramePool* Pool => _pool;

    public void Dispose()
    {
        NativeMemory.Free(_bitmap);
        NativeMemory.Free(_pool);
        Memory.Dispose();
    }
}
