// Specification of the page-table rule behind copy-on-write fork (issue 8;
// microkernel/Kernel/Memory/PageTable.cs, WriteProtectIfShared): an Owned private frame that
// another address space holds too (a FramePool share) is never mapped writable — it is mapped
// read-only and marked CopyOnWrite, whichever path asks for write access (Map, Protect, Replace),
// while StateOf still reports the owner's permission (writable). MAP_SHARED pages, frames without
// another holder, and pages the space does not own are mapped as asked.
using System.Runtime.InteropServices;
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Tests;

public sealed unsafe class CopyOnWriteMappingTests : IDisposable
{
    private const ulong Frame = FramePool.FrameSize;
    private const ulong Va = 0x0000_1000_0000_0000;
    private const PageFlags Rw = PageFlags.User | PageFlags.Writable | PageFlags.NoExecute | PageFlags.Owned;
    private readonly FakeFrames _frames = new(256 * Frame, firstFree: 16 * Frame);
    private readonly ushort* _counts;
    private PageTable _space;

    public CopyOnWriteMappingTests()
    {
        _counts = (ushort*)NativeMemory.Alloc((nuint)FramePool.ShareCountBytes(256));
        _frames.Pool->AttachShareCounts(_counts);
        Assert.Equal(MapResult.Ok, PageTable.Create(_frames.Pool, _frames.Memory.Window, out _space));
    }

    public void Dispose()
    {
        NativeMemory.Free(_counts);
        _frames.Dispose();
    }

    private ulong SharedFrame()
    {
        ulong f = _frames.Pool->Take();
        Assert.True(_frames.Pool->Share(f));
        return f;
    }

    private PageFlags HardwareFlags(ulong va)
    {
        Assert.True(_space.Translate(va, out _, out PageFlags flags));
        return flags;
    }

    [Fact]
    public void A_shared_private_frame_mapped_writable_is_read_only_and_marked_copy_on_write()
    {
        ulong f = SharedFrame();
        Assert.Equal(MapResult.Ok, _space.Map(Va, f, Rw));
        PageFlags hw = HardwareFlags(Va);
        Assert.Equal(PageFlags.None, hw & PageFlags.Writable);
        Assert.Equal(PageFlags.CopyOnWrite, hw & PageFlags.CopyOnWrite);
        Assert.Equal(PageState.Present, _space.StateOf(Va, out ulong frame, out PageFlags owner));
        Assert.Equal(f, frame);
        Assert.Equal(PageFlags.Writable, owner & PageFlags.Writable);   // the owner may still write
    }

    [Fact]
    public void Mprotect_style_Protect_cannot_make_a_shared_private_frame_writable()
    {
        ulong f = SharedFrame();
        Assert.Equal(MapResult.Ok, _space.Map(Va, f, Rw & ~PageFlags.Writable));
        Assert.Equal(PageFlags.None, HardwareFlags(Va) & (PageFlags.Writable | PageFlags.CopyOnWrite));
        Assert.Equal(MapResult.Ok, _space.Protect(Va, Rw));
        PageFlags hw = HardwareFlags(Va);
        Assert.Equal(PageFlags.None, hw & PageFlags.Writable);
        Assert.Equal(PageFlags.CopyOnWrite, hw & PageFlags.CopyOnWrite);
    }

    [Fact]
    public void Protecting_a_copy_on_write_page_read_only_drops_the_mark()
    {
        ulong f = SharedFrame();
        _space.Map(Va, f, Rw);
        Assert.Equal(MapResult.Ok, _space.Protect(Va, Rw & ~PageFlags.Writable));
        Assert.Equal(PageFlags.None, HardwareFlags(Va) & (PageFlags.Writable | PageFlags.CopyOnWrite));
        _space.StateOf(Va, out _, out PageFlags owner);
        Assert.Equal(PageFlags.None, owner & PageFlags.Writable);
    }

    [Fact]
    public void Once_the_other_holder_is_gone_Protect_makes_the_page_writable_again()
    {
        ulong f = SharedFrame();
        _space.Map(Va, f, Rw);
        Assert.Equal(FrameResult.Ok, _frames.Pool->Give(f));   // the other holder lets go
        Assert.Equal(MapResult.Ok, _space.Protect(Va, Rw));
        PageFlags hw = HardwareFlags(Va);
        Assert.Equal(PageFlags.Writable, hw & PageFlags.Writable);
        Assert.Equal(PageFlags.None, hw & PageFlags.CopyOnWrite);
    }

    [Fact]
    public void Replace_puts_a_private_copy_in_place_writable()
    {
        ulong shared = SharedFrame(), copy = _frames.Pool->Take();
        _space.Map(Va, shared, Rw);
        Assert.Equal(MapResult.Ok, _space.Replace(Va, copy, Rw));
        Assert.True(_space.Translate(Va, out ulong physical, out PageFlags hw));
        Assert.Equal(copy, physical);
        Assert.Equal(PageFlags.Writable, hw & (PageFlags.Writable | PageFlags.CopyOnWrite));
        Assert.Equal(MapResult.NotMapped, _space.Replace(Va + Frame, copy, Rw));
    }

    [Fact]
    public void Shared_mappings_unshared_frames_and_frames_not_owned_are_mapped_writable_as_asked()
    {
        ulong a = SharedFrame(), b = _frames.Pool->Take(), c = SharedFrame();
        _space.Map(Va, a, Rw | PageFlags.Shared);                       // MAP_SHARED|MAP_ANONYMOUS
        _space.Map(Va + Frame, b, Rw);                                  // no other holder
        _space.Map(Va + 2 * Frame, c, Rw & ~PageFlags.Owned);           // a grant's page in its target
        for (ulong i = 0; i < 3; i++)
            Assert.Equal(PageFlags.Writable, HardwareFlags(Va + i * Frame) & (PageFlags.Writable | PageFlags.CopyOnWrite));
    }
}
