// The kernel side of the POSIX personality (issue 7), specified by tests/guest/apphost.c: a
// miniature posix that builds an application process from the boot module "app" (tests/guest/app.c)
// with process_create / process_mmap / process_mprotect / process_write, starts it with
// process_start, and serves its forwarded Linux calls; then the bad-input paths of the new calls.
// The "child:" cases are the application's own checks, written to fd 1 through forwarded writes
// that apphost collects and prints.
namespace Biscuit.Boot.Tests;

public sealed class ApplicationProcessBoot : GuestSuiteBoot
{
    public ApplicationProcessBoot() : base("apphost", "256M", "app") { }
}

public class ApplicationProcessTests : IClassFixture<ApplicationProcessBoot>
{
    private readonly ApplicationProcessBoot _boot;
    public ApplicationProcessTests(ApplicationProcessBoot boot) => _boot = boot;

    public static readonly string[] PersonalityCases =
    {
        "process_create makes a live process with no thread; bad names are refused",
        "an application built with process_mmap and process_write is started and served",
        "openat's path is read from the child with process_read",
        "read is answered with process_write into the child's buffer",
        "the child's writes to fd 1 are collected by the personality",
        "an unknown system call number reaches the personality",
        "error answers and short replies reach the child",
        "mmap of a file descriptor is forwarded and served with process_mmap",
        "a signal cancels a held call: ipc_reply_pending 0, late reply ESRCH",
        "kill of another pid is forwarded; a signal posted to the served thread leaves its call waiting",
        "a call waiting when the personality dies, or made after, gets EIO",
        "process_read and process_write refuse kernel and unmapped addresses with EFAULT",
        "a handle that is not a process is EBADF",
        "a process handle without Control, or an endpoint without Send, is EPERM",
        "process_mmap over the kernel half and with bad arguments gets Linux errors",
        "process_write writes a read-only page the process owns, not a PROT_NONE or granted one",
        "process_start checks entry, stack and brk_base, and starts once",
        "ipc_reply_pending with no call received is ESRCH",
        "process_set_pid and process_signal check pid, signal, flags, handle type, rights and liveness",
    };

    public static readonly string[] ChildCases =
    {
        "child: openat of a path the personality knows returns its descriptor",
        "child: openat of another path returns ENOENT",
        "child: read returns the bytes the personality wrote into its buffer",
        "child: an unknown system call number is answered by the personality",
        "child: a forwarded call answered with an error returns that error",
        "child: a reply shorter than 8 bytes gives EIO",
        "child: getpid is answered by the kernel",
        "child: anonymous mmap is answered by the kernel",
        "child: mmap of a file descriptor is forwarded and maps the personality's bytes",
        "child: a thread (clone with CLONE_VM) is made by the kernel",
        "child: a signal interrupts a waiting forwarded call with EINTR and its handler runs",
        "child: getpid answers the pid the personality set (process_set_pid)",
        "child: kill of its own pid is the kernel's: the handler runs with si_pid = its pid",
        "child: kill of another pid is forwarded to the personality (which answers ESRCH)",
        "child: a signal the personality posts while it is blocked stays pending",
        "child: rt_sigsuspend returns EINTR after the handler ran, with si_code, si_pid and si_status as posted",
        "child: rt_sigsuspend's mask ends with it: the old mask is back",
        "child: a signal posted to the thread whose call is being served does not cancel that call",
    };

    public static IEnumerable<object[]> CaseData => PersonalityCases.Concat(ChildCases).Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Guest_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_exits_cleanly() =>
        _boot.AssertReportedExactly(PersonalityCases.Concat(ChildCases), _ => true);

    [Fact]
    public void An_applications_unknown_calls_go_to_its_personality_not_to_the_kernels_ENOSYS_log() =>
        Assert.DoesNotContain(_boot.Lines, l => l.Contains("(app): Linux system call", StringComparison.Ordinal));

    [Fact]
    public void The_kernel_reports_both_children_of_a_dead_personality_exiting_with_EIO() =>
        Assert.Equal(2, _boot.Lines.Count(l => l.EndsWith("(app) exited with status 5", StringComparison.Ordinal)));
}
