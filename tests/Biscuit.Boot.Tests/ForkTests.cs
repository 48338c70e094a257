// fork for applications (issue 7): the kernel's process_fork, specified by tests/guest/forkhost.c — a
// miniature posix that serves the forwarded fork/clone/wait4 of tests/guest/forkapp.c the way
// Syscalls.md's "fork" section tells posix to (process_fork with a badged personality, then
// process_start) — and by forkapp's own checks ("child:" lines, written through forwarded writes
// that forkhost collects and prints). forkhost also makes the bad-input and exhaustion cases with the
// waiting thread of a real forwarded fork, and compares system_info before and after each.
namespace Biscuit.Boot.Tests;

public sealed class ForkBoot : GuestSuiteBoot
{
    public ForkBoot() : base("forkhost", "256M", "forkapp") { }
}

public class ForkTests : IClassFixture<ForkBoot>
{
    private readonly ForkBoot _boot;
    public ForkTests(ForkBoot boot) => _boot = boot;

    public static readonly string[] PersonalityCases =
    {
        "an application forks and parent and children are served: process_fork, then process_start",
        "the first child's exit status 42 is read with process_status",
        "1000 forks in a loop leave no frames, threads or process slots behind",
        "process_fork with a bad thread id, a thread not in a forwarded call, or a dead process is ESRCH",
        "process_fork with a process handle without Control, or a personality without Send, is EPERM",
        "process_fork with a handle that is not a process, or a personality that is not an endpoint, is EBADF",
        "process_fork with unknown flags or a kernel stack is EINVAL; a bad child_tid is EFAULT, leaving nothing behind",
        "process_start of a forked child refuses entry, stack or brk and starts it once",
        "a forked child holds its frames on its own budget, and never started ends when its handle is closed, giving everything back",
        "process_fork with every process slot taken is ENOMEM and leaves nothing behind",
        "process_fork with no frames, or too few for the copy, is ENOMEM and leaves nothing behind",
        "a forked child whose copy-on-write fault finds no free frame dies of SIGSEGV alone, and its frames come back",
    };

    public static readonly string[] ApplicationCases =
    {
        "child: the child keeps its own global and MAP_PRIVATE values after the parent wrote its own",
        "child: the child has the parent's FS base (TLS) and SSE registers",
        "child: the child inherits signal handlers, the blocked mask and the program break",
        "child: the child inherits the parent's memory budget (forkhost set it to 64 MiB)",
        "child: fork returns the child's pid to the parent and 0 to the child",
        "child: wait4 returns the child's pid and its exit status 42",
        "child: the parent keeps its own global and MAP_PRIVATE values after the child wrote its own",
        "child: MAP_SHARED|MAP_ANONYMOUS pages the child wrote are seen by the parent, touched before fork or not",
        "child: clone with a new stack runs the child on it with the parent's other registers",
        "child: clone with CLONE_CHILD_SETTID writes the child's thread id in the child only",
        "child: a forked child forks in turn with vfork and reaps its own child",
        "child: a fork served after forkhost's bad-input checks succeeds",
        "child: a fork refused for want of process slots returns ENOMEM and the parent goes on",
        "child: a fork refused for want of memory returns ENOMEM and the parent goes on",
        "child: after refused forks a fork succeeds again",
        "child: parent and child each see their own writes at 64 pages written before the fork",
        "child: a forked child shares the parent's pages copy-on-write and copies only the pages it writes",
        "child: a child whose copy-on-write fault finds no free frame dies of SIGSEGV and the parent goes on",
        "child: 1000 forks in a loop each return their child's exit status",
    };

    public static IEnumerable<object[]> CaseData => PersonalityCases.Concat(ApplicationCases).Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Guest_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_exits_cleanly() =>
        _boot.AssertReportedExactly(PersonalityCases.Concat(ApplicationCases), _ => true);

    // forkapp itself (0), the first child (42), the clone children (61, 62), the child that forks (70)
    // and its grandchild (7), the children of the plain forks (after the bad-input checks, after the
    // refused ones, the loop's warm-up: 0), the copy-on-write child of 64 pages (50) and the 1,000
    // children of the loop (i & 0x7F): the kernel's exit lines name exactly these statuses (the
    // child starved of frames is killed, not exited).
    [Fact]
    public void The_kernel_reports_every_forked_child_exiting_with_the_status_it_chose() =>
        Assert.Equal(
            new[] { 0, 42, 61, 62, 70, 7, 0, 0, 0, 50 }.Concat(Enumerable.Range(0, 1000).Select(i => i & 0x7F)).OrderBy(s => s),
            _boot.Lines.Select(l => ExitLine.Match(l)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
                .OrderBy(s => s));

    // "biscuit: process N (forkapp) exited with status S" (a "; its handlers ran for ..." may follow).
    private static readonly System.Text.RegularExpressions.Regex ExitLine =
        new(@"^biscuit: process \d+ \(forkapp\) exited with status (\d+)(;|$)");

    [Fact]
    public void The_child_never_started_is_the_only_forked_process_killed() =>
        Assert.Single(_boot.Lines, l => l.EndsWith("(forkapp) killed by signal 9", StringComparison.Ordinal));

    // The child started with no free frame: the kernel says why (a copy-on-write fault it could not
    // serve, with the numbers), then kills it with SIGSEGV — one process, never a panic.
    [Fact]
    public void A_copy_on_write_fault_without_frames_is_logged_and_kills_only_that_child_with_SIGSEGV()
    {
        var line = Assert.Single(_boot.Lines, l => l.StartsWith("biscuit: out of memory: ", StringComparison.Ordinal));
        var m = System.Text.RegularExpressions.Regex.Match(line,
            @"^biscuit: out of memory: process (\d+) \(forkapp\) at 0x[0-9A-Fa-f]+, no free frame for a copy-on-write fault; quota \d+ pages, resident \d+ pages, 0 frames free$");
        Assert.True(m.Success, line);
        Assert.Contains($"biscuit: process {m.Groups[1].Value} (forkapp) killed by signal 11", _boot.Lines);
        Assert.Single(_boot.Lines, l => l.EndsWith("(forkapp) killed by signal 11", StringComparison.Ordinal));
    }
}
