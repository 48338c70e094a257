// Specification of the pager option's pure rules (microkernel/Kernel/Memory/PagerRules.cs, issue 8;
// Syscalls.md 0x859-0x85A): the fault message the kernel writes is the one mm decodes
// (servers/mm/Biscuit.Mm/PagerFault.cs), the answers memory_page_supply accepts, and that a supply
// must name the fault it answers — the kernel never trusts the pager.
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Mm;

namespace Biscuit.Kernel.Tests;

public unsafe class PagerRulesTests
{
    private const long EINVAL = 22;

    private static (ulong Label, byte[] Payload) Written(ulong access)
    {
        byte* buffer = stackalloc byte[4096];
        var m = (MessageHeader*)buffer;
        PagerRules.WriteMessage(m, 12, 34, 0x7f00_0000_1abc, access, 0x40_2000, 900, 65_536, 40_000, 256);
        Assert.Equal(PagerRules.PayloadBytes, m->Length);
        Assert.Equal(0u, m->HandleCount);
        return (m->Label, new ReadOnlySpan<byte>(buffer + MessageHeader.HeaderBytes, (int)m->Length).ToArray());
    }

    [Fact]
    public void The_fault_message_the_kernel_writes_is_the_one_mm_decodes()
    {
        var (label, payload) = Written(PagerRules.Access(write: true, execute: false));
        Assert.True(PagerFault.TryDecode(label, payload, out var f, out string why), why);
        Assert.Equal(new PagerFault(12, 34, 0x7f00_0000_1abc, true, false, 0x40_2000, 900, 65_536, 40_000, 256), f);
    }

    [Fact]
    public void The_label_says_PGF_and_the_access_bits_say_write_and_fetch()
    {
        Assert.Equal("PGF\0", System.Text.Encoding.ASCII.GetString(BitConverter.GetBytes(PagerRules.LabelTag >> 32).Reverse().Skip(4).ToArray()));
        Assert.Equal(PagerFault.Label, PagerRules.LabelTag);
        Assert.Equal(0UL, PagerRules.Access(false, false));
        Assert.Equal(1UL, PagerRules.Access(true, false));
        Assert.Equal(2UL, PagerRules.Access(false, true));
        var (label, payload) = Written(PagerRules.Access(false, true));
        Assert.True(PagerFault.TryDecode(label, payload, out var f, out _));
        Assert.True(f.Execute);
        Assert.False(f.Write);
    }

    [Theory]
    [InlineData(0UL, SupplyAction.Zero)]
    [InlineData(9UL, SupplyAction.Kill)]
    [InlineData(11UL, SupplyAction.Segv)]
    [InlineData(1UL, SupplyAction.Invalid)]
    [InlineData(7UL, SupplyAction.Invalid)]
    [InlineData(64UL, SupplyAction.Invalid)]
    [InlineData(ulong.MaxValue, SupplyAction.Invalid)]
    public void A_supply_may_ask_for_a_zeroed_page_SIGKILL_or_SIGSEGV_and_nothing_else(ulong value, SupplyAction expected) =>
        Assert.Equal(expected, PagerRules.ActionOf(value));

    [Fact]
    public void A_supply_for_the_faulting_process_and_any_address_in_the_faulting_page_answers_the_fault()
    {
        Assert.Equal(0, PagerRules.CheckSupply(12, 0x7f00_0000_1abc, 12, 0x7f00_0000_1abc));
        Assert.Equal(0, PagerRules.CheckSupply(12, 0x7f00_0000_1abc, 12, 0x7f00_0000_1000));
        Assert.Equal(0, PagerRules.CheckSupply(12, 0x7f00_0000_1abc, 12, 0x7f00_0000_1fff));
    }

    [Fact]
    public void A_supply_for_another_process_or_another_page_is_EINVAL()
    {
        Assert.Equal(-EINVAL, PagerRules.CheckSupply(12, 0x7f00_0000_1abc, 13, 0x7f00_0000_1abc));
        Assert.Equal(-EINVAL, PagerRules.CheckSupply(12, 0x7f00_0000_1abc, 12, 0x7f00_0000_2000));
        Assert.Equal(-EINVAL, PagerRules.CheckSupply(12, 0x7f00_0000_1abc, 12, 0x7f00_0000_0fff));
        Assert.Equal(-EINVAL, PagerRules.CheckSupply(12, 0x7f00_0000_1abc, 0, 0));
    }
}
