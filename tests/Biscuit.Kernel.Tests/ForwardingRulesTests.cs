// Specification of the forwarding rules (microkernel/Kernel/Linux/ForwardingRules.cs, issue 7):
// which Linux calls an application's kernel answers itself, and the message layout, checked
// against the decoder posix uses (lib/Biscuit.Lib/Kernel/ForwardedCall.cs).
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Linux;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;

namespace Biscuit.Kernel.Tests;

public unsafe class ForwardingRulesTests
{
    private const ulong MapPrivate = 2, MapAnonymous = 0x20, CloneVm = 0x100, CloneThreadFlags = 0x3D0F00, SigChld = 17;

    public static readonly TheoryData<ulong, string> CoreCalls = new()
    {
        { 10, "mprotect" }, { 11, "munmap" }, { 12, "brk" }, { 28, "madvise" }, { 149, "mlock" }, { 150, "munlock" },
        { 13, "rt_sigaction" }, { 14, "rt_sigprocmask" }, { 15, "rt_sigreturn" }, { 130, "rt_sigsuspend" }, { 131, "sigaltstack" },
        { 35, "nanosleep" }, { 228, "clock_gettime" }, { 229, "clock_getres" }, { 230, "clock_nanosleep" },
        { 96, "gettimeofday" }, { 201, "time" }, { 39, "getpid" }, { 186, "gettid" }, { 60, "exit" },
        { 231, "exit_group" }, { 158, "arch_prctl" }, { 218, "set_tid_address" }, { 273, "set_robust_list" },
        { 334, "rseq" }, { 202, "futex" }, { 24, "sched_yield" }, { 204, "sched_getaffinity" }, { 62, "kill" },
        { 200, "tkill" }, { 234, "tgkill" }, { 99, "sysinfo" }, { 63, "uname" },
        { 318, "getrandom" }, { 324, "membarrier" },
    };

    public static readonly TheoryData<ulong, string> ForwardedCalls = new()
    {
        { 0, "read" }, { 1, "write" }, { 3, "close" }, { 16, "ioctl" }, { 20, "writev" }, { 72, "fcntl" },
        { 32, "dup" }, { 33, "dup2" }, { 292, "dup3" }, { 293, "pipe2" }, { 257, "openat" }, { 59, "execve" },
        { 61, "wait4" }, { 102, "getuid" }, { 105, "setuid" }, { 110, "getppid" }, { 232, "epoll_wait" },
        { 288, "accept4" }, { 57, "fork" }, { 58, "vfork" }, { 459, "a number Linux does not have yet" },
        { 0x7FF, "the last number below Biscuit's own" },
    };

    [Theory]
    [MemberData(nameof(CoreCalls))]
    public void The_kernel_answers_the_core_set_itself(ulong number, string name) =>
        Assert.True(ForwardingRules.IsCore(number, CloneVm, 0, MapAnonymous), name);

    [Theory]
    [MemberData(nameof(ForwardedCalls))]
    public void Every_other_call_is_forwarded(ulong number, string name) =>
        Assert.False(ForwardingRules.IsCore(number, CloneVm, 0, MapAnonymous), name);

    [Fact]
    public void Anonymous_mmap_is_core_and_mmap_of_a_file_descriptor_is_forwarded()
    {
        Assert.True(ForwardingRules.IsCore(9, 0, 0, MapPrivate | MapAnonymous));
        Assert.False(ForwardingRules.IsCore(9, 0, 0, MapPrivate));
    }

    [Fact]
    public void Clone_of_a_thread_is_core_and_clone_without_CLONE_VM_is_forwarded()
    {
        Assert.True(ForwardingRules.IsCore(56, CloneThreadFlags, 0, 0));
        Assert.False(ForwardingRules.IsCore(56, SigChld, 0, 0));
    }

    [Fact]
    public void The_rlimit_calls_are_core_except_for_RLIMIT_NOFILE_whose_descriptors_the_personality_keeps()
    {
        const ulong Nofile = 7, Stack = 3;
        Assert.True(ForwardingRules.IsCore(97, Stack, 0, 0));        // getrlimit(RLIMIT_STACK)
        Assert.False(ForwardingRules.IsCore(97, Nofile, 0, 0));
        Assert.True(ForwardingRules.IsCore(160, Stack, 0, 0));       // setrlimit
        Assert.False(ForwardingRules.IsCore(160, Nofile, 0, 0));
        Assert.True(ForwardingRules.IsCore(302, 0, Stack, 0));       // prlimit64(pid, resource, ...)
        Assert.False(ForwardingRules.IsCore(302, 0, Nofile, 0));
    }

    [Fact]
    public void The_kernels_message_decodes_with_libs_ForwardedCall()
    {
        byte[] page = new byte[4096];
        ulong* args = stackalloc ulong[6] { 0xFFFF_FFFF_FFFF_FF9C, 0x7000_1000, 2, 3, 4, ulong.MaxValue };
        fixed (byte* b = page) ForwardingRules.WriteMessage((MessageHeader*)b, 257, args, 42, 77);
        var buffer = new IpcBuffer(page) { Badge = 0x77 };

        Assert.True(ForwardedCall.TryParse(buffer, out var call));
        Assert.Equal(ForwardedCall.LabelFor(257), buffer.Label);
        Assert.Equal(0x4C4E5800_00000101UL, buffer.Label);
        Assert.Equal((uint)ForwardedCall.PayloadBytes, buffer.Length);
        Assert.Equal(0u, buffer.HandleCount);
        Assert.Equal(new ForwardedCall(257, -100, 0x7000_1000, 2, 3, 4, -1, 42, 77, 0, 0x77), call);
    }

    [Fact]
    public void Libs_reply_is_the_applications_result()
    {
        byte[] page = new byte[4096];
        ForwardedCall.WriteReply(new IpcBuffer(page), -13);
        fixed (byte* b = page) Assert.Equal(-13, ForwardingRules.ReadReply((MessageHeader*)b));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4u)]
    [InlineData(7u)]
    [InlineData(5000u)]
    public void A_reply_shorter_than_8_bytes_or_malformed_is_EIO(uint length)
    {
        byte[] page = new byte[4096];
        fixed (byte* b = page)
        {
            var m = (MessageHeader*)b;
            m->Length = length;
            *(long*)(b + MessageHeader.HeaderBytes) = 1234;
            Assert.Equal(-5, ForwardingRules.ReadReply(m));
        }
    }

    [Fact]
    public void A_message_that_is_not_a_forwarded_call_is_refused_by_the_decoder()
    {
        byte[] page = new byte[4096];
        var buffer = new IpcBuffer(page);
        buffer.SetMessage(7, new byte[80]);
        Assert.False(ForwardedCall.TryParse(buffer, out _));
        buffer.SetMessage(ForwardedCall.LabelFor(0), new byte[79]);
        Assert.False(ForwardedCall.TryParse(buffer, out _));
    }

    [Fact]
    public void Libs_encoding_of_a_call_is_byte_for_byte_the_kernels()
    {
        byte[] kernel = new byte[4096], lib = new byte[4096];
        ulong* args = stackalloc ulong[6] { 1, 2, 3, 4, 5, 6 };
        fixed (byte* b = kernel) ForwardingRules.WriteMessage((MessageHeader*)b, 0, args, 9, 10);
        new ForwardedCall(0, 1, 2, 3, 4, 5, 6, 9, 10, 0, 0).WritePayload(lib.AsSpan(IpcBuffer.HeaderBytes));
        Assert.Equal(kernel.AsSpan(IpcBuffer.HeaderBytes, ForwardedCall.PayloadBytes).ToArray(),
            lib.AsSpan(IpcBuffer.HeaderBytes, ForwardedCall.PayloadBytes).ToArray());
    }
}
