// Specification of a process's handle table (microkernel/Kernel/Capabilities/HandleTable.cs).
using System.Runtime.InteropServices;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Tests;

public unsafe class HandleTableTests : IDisposable
{
    private readonly HandleTable* _table;
    private static readonly void* Object = (void*)0x1000;

    public HandleTableTests()
    {
        _table = (HandleTable*)NativeMemory.AllocZeroed((nuint)sizeof(HandleTable));
        _table->Initialize();
    }

    public void Dispose() => NativeMemory.Free(_table);

    [Fact]
    public void The_first_handles_are_the_initial_handles_in_slot_order()
    {
        Assert.Equal(HandleTable.InitialHandle(0), _table->Insert(CapabilityType.Endpoint, Rights.All, Object, 0));
        Assert.Equal(HandleTable.InitialHandle(1), _table->Insert(CapabilityType.Notification, Rights.All, Object, 0));
        Assert.Equal(0x1001u, HandleTable.InitialHandle(1));
    }

    [Fact]
    public void Lookup_checks_type_and_rights()
    {
        uint h = _table->Insert(CapabilityType.Endpoint, Rights.Send | Rights.Transfer, Object, 42);
        Assert.Equal(0, _table->Lookup(h, CapabilityType.Endpoint, Rights.Send, out var c));
        Assert.Equal(42UL, c->Badge);
        Assert.Equal(-Errno.EBADF, _table->Lookup(h, CapabilityType.Notification, 0, out _));
        Assert.Equal(-Errno.EPERM, _table->Lookup(h, CapabilityType.Endpoint, Rights.Receive, out _));
        Assert.Equal(0, _table->Lookup(h, CapabilityType.None, 0, out _));
    }

    [Fact]
    public void Handles_that_name_nothing_are_EBADF()
    {
        Assert.Equal(-Errno.EBADF, _table->Lookup(0, CapabilityType.None, 0, out _));
        Assert.Equal(-Errno.EBADF, _table->Lookup(HandleTable.InitialHandle(5), CapabilityType.None, 0, out _));
        Assert.Equal(-Errno.EBADF, _table->Lookup(0xFFF, CapabilityType.None, 0, out _));     // index out of range
        Assert.Equal(-Errno.EBADF, _table->Lookup(0xFFFF_FFFF, CapabilityType.None, 0, out _));
    }

    [Fact]
    public void A_removed_handle_stays_invalid_after_its_slot_is_reused()
    {
        uint first = _table->Insert(CapabilityType.Endpoint, Rights.All, Object, 0);
        Assert.Equal(0, _table->Remove(first, out var removed));
        Assert.Equal(CapabilityType.Endpoint, removed.Type);
        uint second = _table->Insert(CapabilityType.Notification, Rights.All, Object, 0);
        Assert.Equal(first & 0xFFF, second & 0xFFF);        // same slot
        Assert.NotEqual(first, second);                     // new generation
        Assert.Equal(-Errno.EBADF, _table->Lookup(first, CapabilityType.None, 0, out _));
        Assert.Equal(-Errno.EBADF, _table->Remove(first, out _));
    }

    [Fact]
    public void A_full_table_refuses_with_zero_and_frees_up_on_removal()
    {
        var handles = new List<uint>();
        for (int i = 0; i < HandleTable.Slots; i++) handles.Add(_table->Insert(CapabilityType.Endpoint, Rights.All, Object, 0));
        Assert.DoesNotContain(0u, handles);
        Assert.Equal(0u, _table->Insert(CapabilityType.Endpoint, Rights.All, Object, 0));
        Assert.Equal(HandleTable.Slots, _table->Count);
        Assert.Equal(0, _table->Remove(handles[17], out _));
        Assert.NotEqual(0u, _table->Insert(CapabilityType.Endpoint, Rights.All, Object, 0));
    }

    [Fact]
    public void Rights_beyond_the_defined_ones_are_dropped()
    {
        uint h = _table->Insert(CapabilityType.Endpoint, 0xFFFF_FFFF, Object, 0);
        _table->Lookup(h, CapabilityType.None, 0, out var c);
        Assert.Equal(Rights.All, c->Rights);
    }
}
