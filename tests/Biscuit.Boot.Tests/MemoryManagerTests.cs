// Memory accounting, page quotas and the census behind mm's policy (issue 8), specified by the guest
// suite tests/guest/memtest.c: it runs as the first process, reads memory_info for itself and for a
// child, sets a child's quota through its handle, lets a child that faults beyond its quota be killed
// by the kernel, and takes memory_census and memory_oom_kill through their bad inputs. The boot
// happens once; each case is its own test here, and the list must match the suite's.
using System.Text.RegularExpressions;

namespace Biscuit.Boot.Tests;

public sealed class MemoryManagerBoot : GuestSuiteBoot
{
    public MemoryManagerBoot() : base("memtest", "256M") { }
}

public class MemoryManagerTests : IClassFixture<MemoryManagerBoot>
{
    private readonly MemoryManagerBoot _boot;
    public MemoryManagerTests(MemoryManagerBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "memory_info of the caller reports its resident pages, its quota and the system's frames",
        "a 1 GiB mapping touched at 1,000 pages (1 in 262) adds 1,000 resident pages and 1,000 page faults",
        "mmap of a mapping larger than the page quota is ENOMEM unless MAP_NORESERVE or PROT_NONE",
        "memory_info with a bad handle is EBADF, with a bad buffer EFAULT, and a short buffer gets what fits",
        "memory_set_quota refuses 0, less than resident, more than the machine (EINVAL) and a handle without Control (EPERM)",
        "a process that faults beyond its quota is killed with SIGKILL and gives back every frame",
        "memory_census lists every live process with its resident pages and quota, and marks init",
        "memory_census and memory_oom_kill need the device manager with Control; oom_kill refuses init and servers (EPERM) and unknown ids (ESRCH)",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Guest_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_exits_cleanly() =>
        _boot.AssertReportedExactly(Cases, _ => true);

    // The kernel says why it killed the hog, with the numbers: its quota (400 pages, set by
    // memtest) and its resident pages when it faulted (all of the quota), then the kill itself.
    [Fact]
    public void The_quota_kill_is_logged_with_the_quota_and_the_resident_pages()
    {
        var line = _boot.Lines.Single(l => l.StartsWith("biscuit: out of memory: ", StringComparison.Ordinal));
        var m = Regex.Match(line,
            @"^biscuit: out of memory: process (\d+) \(memtest\) at 0x[0-9A-Fa-f]+, over its page quota: killed \(SIGKILL\); quota 400 pages, resident 400 pages, \d+ frames free$");
        Assert.True(m.Success, line);
        Assert.Contains($"biscuit: process {m.Groups[1].Value} (memtest) killed by signal 9", _boot.Lines);
    }
}
