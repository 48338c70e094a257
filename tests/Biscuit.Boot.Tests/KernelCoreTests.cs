// The kernel core (issue 3), specified by the guest suite tests/guest/ktest.c: it runs as the first
// process and prints "ok - NAME" / "not ok - NAME: why" per case. The boot happens once; each case
// is its own test here, and the list below must match the suite's (a missing case fails too).
namespace Biscuit.Boot.Tests;

public sealed class KernelCoreBoot : GuestSuiteBoot
{
    public KernelCoreBoot() : base("ktest", "256M", "child", "hello", "bad.elf", "truncated.elf") { }
}

public class KernelCoreTests : IClassFixture<KernelCoreBoot>
{
    private readonly KernelCoreBoot _boot;
    private readonly QemuRun _run;
    public KernelCoreTests(KernelCoreBoot boot) { _boot = boot; _run = boot.Run; }

    public static readonly string[] Cases =
    {
        "spawn runs a static Linux program with arguments",
        "spawn of an unknown module is ENOENT",
        "malformed ELF modules are refused with ENOEXEC",
        "a faulting process dies alone with the right signal",
        "process status is EAGAIN while alive and kill ends it with SIGKILL",
        "a process that exits gives back all its memory",
        "a spinning process does not stop others",
        "a second thread runs in the same address space",
        "FPU and SSE state survive preemption",
        "sleep waits at least the time asked",
        "call and reply between threads carry label and payload",
        "call to another process shows the badge of the caller's capability",
        "a handle passed in a message works in the receiver",
        "a handle without the transfer right cannot be sent",
        "malformed messages are refused before anything moves",
        "receive and send without a partner time out or fail at once",
        "a caller whose server dies gets EOWNERDEAD at once",
        "a server that receives again without replying releases its caller",
        "notifications accumulate bits and wake a waiter",
        "bad handles are EBADF and missing rights EPERM",
        "a full handle table is EMFILE and recovers",
        "exhausting the thread pool is ENOMEM and the system keeps running",
        "exhausting the endpoint pool is ENOMEM and the system keeps running",
        "send delivers to a waiting receiver without a reply",
        "death watches are bounded and fire for every watcher",
        "bad user pointers are EFAULT, never a kernel fault",
        "anonymous memory is zeroed, owned and freed",
        "the pager calls check their authority and a server's faults stay in the kernel",
        "the fault census counts each demand-zero fault from ring 3 and not the kernel's copies",
        "grants share pages read-only or writable until revoked",
        "a grantee unmapping granted pages frees nothing and a later revoke spares its own memory",
        "dma_pin without a device claim is EPERM",
        "a client lends pages to the server behind an endpoint",
        "PCI devices are listed and claimed once with a capability",
        "a dead holder's device claim is released and its capabilities go stale",
        "an IRQ bound to a notification wakes the driver",
        "the console is read only through the console capability, claimed once",
        "DMA memory is contiguous, zeroed and its physical address known",
        "dma_pin holds granted frames past the granter's death until unpinned",
        "process_inject refuses bad handles, rights, kinds and dead processes",
        "an injected fault kills the server at its next call with SIGSEGV",
        "an injected hang stops answering until killed",
        "an injected corrupt reply inverts one reply payload",
        "orphans_kill ends exactly the applications whose personality server died",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Guest_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_init_exits_cleanly()
    {
        // hello's own checks (spawned by the suite) report too; they are not suite cases.
        _boot.AssertReportedExactly(Cases, c => !c.Contains("argv") && !c.Contains("AT_") && !c.Contains("envp") && !c.Contains("stack is 16-byte"));
        Assert.Contains($"ktest: {Cases.Length} passed, 0 failed", _run.Serial);
    }

    [Fact]
    public void An_injected_fault_is_reported_as_a_user_read_of_address_0_on_the_normal_fault_path() =>
        Assert.Matches(@"biscuit: process \d+ \(child\) killed: #PF page fault at 0x0, rip 0x[0-9a-f]+, error code 0x4", _run.Serial);

    [Fact]
    public void A_faulting_process_gets_one_console_line_naming_process_vector_address_and_rip()
    {
        Assert.Matches(@"biscuit: process \d+ \(child\) killed: #PF page fault at 0x0, rip 0x[0-9a-f]+, error code 0x6", _run.Serial);
        Assert.Matches(@"biscuit: process \d+ \(child\) killed: #UD invalid opcode, rip 0x[0-9a-f]+", _run.Serial);
        Assert.Matches(@"biscuit: process \d+ \(child\) killed: #DE divide error, rip 0x[0-9a-f]+", _run.Serial);
        Assert.DoesNotContain("biscuit: CPU exception", _run.Serial);     // never a kernel fault
    }

    [Fact]
    public void A_malformed_ELF_module_is_refused_with_a_message_naming_what_is_wrong()
    {
        Assert.Contains("biscuit: cannot start 'bad.elf': file smaller than an ELF header", _run.Serial);
        Assert.Contains("biscuit: cannot start 'truncated.elf': a segment's bytes lie outside the file", _run.Serial);
    }

    [Fact]
    public void A_static_musl_program_sees_a_Linux_initial_stack()
    {
        foreach (var check in new[] { "argv is NULL-terminated", "AT_PAGESZ is 4096", "AT_RANDOM points at random bytes",
                                      "AT_PHDR and AT_PHNUM describe the program headers", "the stack is 16-byte aligned" })
            Assert.Contains("ok - " + check, _run.Serial);
        Assert.Contains("arg 1: first argument", _run.Serial);
    }
}
