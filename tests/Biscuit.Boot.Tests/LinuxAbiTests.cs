// The Linux core ABI the kernel answers itself (issue 4), specified by tests/guest/linuxabi.c: an
// ordinary static musl program using mmap, pthreads, futexes, signals, clocks, pipes and the
// information calls.
namespace Biscuit.Boot.Tests;

public sealed class LinuxAbiBoot : GuestSuiteBoot
{
    public LinuxAbiBoot() : base("linuxabi", "256M") { }
}

public class LinuxAbiTests : IClassFixture<LinuxAbiBoot>
{
    private readonly LinuxAbiBoot _boot;
    public LinuxAbiTests(LinuxAbiBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "anonymous mmap is zeroed and usable",
        "a PROT_NONE reservation costs nothing until committed",
        "touching unmapped or PROT_NONE memory raises SIGSEGV with the address",
        "MAP_FIXED replaces and MADV_DONTNEED zeroes",
        "brk grows and shrinks the heap",
        "threads share memory and mutexes, and join returns their result",
        "condition variables wait and wake",
        "futex wait checks the word and times out",
        "a handler runs and masked signals wait until unblocked",
        "tgkill interrupts a sleeping thread with EINTR",
        "the main thread's tid is the pid and other threads lie above every pid",
        "a fault handler can repair the context and resume",
        "a null dereference is SIGSEGV at address zero",
        "floating-point state survives a signal handler",
        "clocks advance and sleep lasts at least as asked",
        "pipes carry bytes, block, and report end of file",
        "information calls describe this process",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Guest_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_exits_cleanly() =>
        _boot.AssertReportedExactly(Cases, _ => true);

    [Fact]
    public void An_unimplemented_Linux_call_is_logged_once_with_its_number()
    {
        Assert.Single(_boot.Lines, l => l == "biscuit: process 1 (linuxabi): Linux system call 57 is not implemented (ENOSYS)");
    }
}
