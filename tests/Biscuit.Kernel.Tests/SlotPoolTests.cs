// Specification of the fixed-size object pools (microkernel/Kernel/Memory/SlotPool.cs).
using System.Runtime.InteropServices;
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public unsafe class SlotPoolTests : IDisposable
{
    private readonly byte* _memory;
    private readonly SlotPool* _pool;
    private const ulong SlotBytes = 40, Capacity = 100;

    public SlotPoolTests()
    {
        _memory = (byte*)NativeMemory.Alloc((nuint)SlotPool.BytesNeeded(SlotBytes, Capacity));
        NativeMemory.Fill(_memory, (nuint)SlotPool.BytesNeeded(SlotBytes, Capacity), 0xCC);
        _pool = (SlotPool*)NativeMemory.AllocZeroed((nuint)sizeof(SlotPool));
        _pool->Initialize(_memory, SlotBytes, Capacity);
    }

    public void Dispose() { NativeMemory.Free(_memory); NativeMemory.Free(_pool); }

    [Fact]
    public void Take_returns_distinct_zeroed_slots_until_the_pool_is_empty_then_null()
    {
        var seen = new HashSet<nint>();
        for (ulong i = 0; i < Capacity; i++)
        {
            byte* slot = _pool->Take();
            Assert.True(slot != null);
            for (int b = 0; b < (int)SlotBytes; b++) Assert.Equal(0, slot[b]);
            Assert.True(seen.Add((nint)slot));
            slot[0] = 0xAB;   // use it: must not disturb the pool
        }
        Assert.Equal(0UL, _pool->Free);
        Assert.True(_pool->Take() == null);
    }

    [Fact]
    public void Given_back_slots_can_be_taken_again()
    {
        byte* a = _pool->Take();
        Assert.Equal(SlotResult.Ok, _pool->Give(a));
        Assert.Equal(Capacity, _pool->Free);
        Assert.True(_pool->Take() == a);
    }

    [Fact]
    public void Double_frees_and_foreign_pointers_are_refused_and_change_nothing()
    {
        byte* a = _pool->Take();
        Assert.Equal(SlotResult.Ok, _pool->Give(a));
        Assert.Equal(SlotResult.NotTaken, _pool->Give(a));
        byte* b = _pool->Take();
        Assert.Equal(SlotResult.NotASlot, _pool->Give(b + 1));
        Assert.Equal(SlotResult.NotASlot, _pool->Give(_memory + SlotBytes * Capacity));
        Assert.Equal(SlotResult.NotASlot, _pool->Give(_memory - 8));
        Assert.Equal(Capacity - 1, _pool->Free);
    }

    // memory_census walks the process pool this way (issue 8): every taken slot once, no free one.
    [Fact]
    public void TakenSlot_names_exactly_the_taken_slots_and_null_elsewhere()
    {
        byte* a = _pool->Take(), b = _pool->Take(), c = _pool->Take();
        Assert.Equal(SlotResult.Ok, _pool->Give(b));
        var taken = new HashSet<nint>();
        for (ulong i = 0; i < Capacity; i++)
            if (_pool->TakenSlot(i) != null) taken.Add((nint)_pool->TakenSlot(i));
        Assert.Equal(new HashSet<nint> { (nint)a, (nint)c }, taken);
        Assert.True(_pool->TakenSlot(Capacity) == null);
        Assert.True(_pool->TakenSlot(ulong.MaxValue) == null);
    }
}
