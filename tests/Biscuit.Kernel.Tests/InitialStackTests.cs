// Specification of the initial user stack (microkernel/Kernel/Processes/InitialStack.cs), read back
// the way a C runtime reads it (System V x86-64 psABI §3.4.1).
using System.Runtime.InteropServices;
using System.Text;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Tests;

public unsafe class InitialStackTests
{
    private const ulong UserTop = 0x7FFF_FFFF_0000;
    private const int Area = 4096;

    private sealed class Built
    {
        public byte[] Memory = new byte[Area];
        public ulong Rsp;
        public ulong Read(ulong address) => BitConverter.ToUInt64(Memory, (int)(address - (UserTop - Area)));
        public string String(ulong address)
        {
            int at = (int)(address - (UserTop - Area)), end = at;
            while (Memory[end] != 0) end++;
            return Encoding.ASCII.GetString(Memory, at, end - at);
        }
    }

    private static (long, Built) Build(string args, string env, params AuxEntry[] aux)
    {
        var b = new Built();
        byte[] a = Encoding.ASCII.GetBytes(args), e = Encoding.ASCII.GetBytes(env);
        byte[] random = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        fixed (byte* area = b.Memory) fixed (byte* ap = a) fixed (byte* ep = e) fixed (AuxEntry* xp = aux) fixed (byte* rp = random)
        {
            long r = InitialStack.Build(area, Area, UserTop, ap, a.Length, ep, e.Length, xp, aux.Length, rp, out b.Rsp);
            return (r, b);
        }
    }

    [Fact]
    public void Argc_argv_envp_and_auxv_are_laid_out_as_on_Linux()
    {
        var (r, s) = Build("prog\0-v\0file", "HOME=/\0TERM=vt100\0", new AuxEntry(InitialStack.AT_PAGESZ, 4096));
        Assert.Equal(0, r);
        Assert.Equal(0UL, s.Rsp % 16);
        ulong p = s.Rsp;
        Assert.Equal(3UL, s.Read(p));
        Assert.Equal("prog", s.String(s.Read(p + 8)));
        Assert.Equal("-v", s.String(s.Read(p + 16)));
        Assert.Equal("file", s.String(s.Read(p + 24)));
        Assert.Equal(0UL, s.Read(p + 32));
        Assert.Equal("HOME=/", s.String(s.Read(p + 40)));
        Assert.Equal("TERM=vt100", s.String(s.Read(p + 48)));
        Assert.Equal(0UL, s.Read(p + 56));
        var aux = new Dictionary<ulong, ulong>();
        for (ulong q = p + 64; ; q += 16)
        {
            ulong type = s.Read(q);
            if (type == InitialStack.AT_NULL) break;
            aux[type] = s.Read(q + 8);
        }
        Assert.Equal(4096UL, aux[InitialStack.AT_PAGESZ]);
        Assert.Equal("prog", s.String(aux[InitialStack.AT_EXECFN]));
        Assert.Equal("x86_64", s.String(aux[InitialStack.AT_PLATFORM]));
        ulong random = aux[InitialStack.AT_RANDOM];
        Assert.Equal(1UL | 2UL << 8, s.Read(random) & 0xFFFF);
    }

    [Fact]
    public void Everything_lies_inside_the_area_below_the_stack_top()
    {
        var (_, s) = Build("a\0b", "X=1");
        Assert.InRange(s.Rsp, UserTop - Area, UserTop - 8);
    }

    [Fact]
    public void Arguments_that_do_not_fit_are_E2BIG_not_an_overflow()
    {
        var (r, _) = Build(new string('x', 5000), "");
        Assert.Equal(-Errno.E2BIG, r);
    }

    [Fact]
    public void An_unterminated_last_string_is_terminated()
    {
        var (r, s) = Build("only", "");
        Assert.Equal(0, r);
        Assert.Equal(1UL, s.Read(s.Rsp));
        Assert.Equal("only", s.String(s.Read(s.Rsp + 8)));
    }
}
