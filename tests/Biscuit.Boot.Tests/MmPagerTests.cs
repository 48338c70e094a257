// mm as the user-space pager of applications (issue 8's option; DESIGN.md §6; Syscalls.md
// 0x859-0x85B; microkernel/Kernel/Memory/PagerFaults.cs, servers/mm/Biscuit.Mm.Server/PagerThread.cs).
// tests/manifests/mm-pager: mm started with `pager` serves the demand-zero faults of pagerapp, an
// application run by pagerhost (a miniature posix, tests/guest/pagerhost.c): 1,000 first touches in
// a 1 GiB mapping reach mm and leave about 1,000 pages; fork and copy-on-write stay right; then
// pagerhost registers itself as the pager and checks the mechanism (refused supplies, a plain reply
// is SIGSEGV, a pager silent for 1 s is dropped and the kernel serves the fault), and last runs the
// same touches with the kernel as pager, printing the cycles of both paths.
// tests/manifests/mm-pager-kill: init kills mm while the application faults; it finishes (the
// kernel serves its faults), and mm, restarted, registers again.
using System.Text.RegularExpressions;

namespace Biscuit.Boot.Tests;

public sealed class MmPagerBoot : SuiteBoot
{
    public MmPagerBoot() : base(Boot("mm-pager")) { }

    // init with tests/manifests/NAME, mm-server, and the guest programs pagerhost and pagerapp.
    public static QemuRun Boot(string manifest)
    {
        _ = Repository.KernelImage;   // builds everything, modules and guests included
        string modules = Path.Combine(Repository.Build, "modules"), guests = Path.Combine(Repository.Build, "guest");
        string initrd = string.Join(",", Path.Combine(Repository.Build, "kernel.syms"), Path.Combine(modules, "init"),
            Path.Combine(Repository.Root, "tests", "manifests", manifest, "manifest"), Path.Combine(modules, "mm-server"),
            Path.Combine(guests, "pagerhost"), Path.Combine(guests, "pagerapp"));
        string args = "-m 256M -smp 1 -display none -monitor none -serial stdio -serial null -no-reboot -nic none " +
                      "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
                      $"-kernel \"{Repository.KernelImage}\" -initrd \"{initrd}\" -append \"init=init exit=init\"";
        var (code, output) = Repository.Run("qemu-system-x86_64", args, TimeSpan.FromSeconds(300));
        return new QemuRun(code, output, code == -1);
    }
}

public class MmPagerTests : IClassFixture<MmPagerBoot>
{
    private readonly MmPagerBoot _boot;
    public MmPagerTests(MmPagerBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "mm registers as the pager of applications",
        "mm serves 1,000 first touches in a 1 GiB mapping and the application holds about 1,000 pages",
        "fork and copy-on-write stay right with mm as the pager",
        "memory_pager_set, memory_page_supply and memory_pager_census refuse bad input",
        "a pager's plain reply is the faulting thread's SIGSEGV",
        "a pager silent for 1 s: the kernel serves the fault, drops the pager, the application finishes",
        "the same 1,000 touches with the kernel as pager",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Pagerhost_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_init_ends_with_its_status() =>
        _boot.AssertReportedExactly(Cases, _ => true);

    [Fact]
    public void Mm_says_it_is_the_pager_and_the_kernel_names_it()
    {
        Assert.Contains("mm: pager: serving the applications' demand-zero page faults", _boot.Lines);
        Assert.Contains(_boot.Lines, l => Regex.IsMatch(l, @"^biscuit: pager: application page faults go to mm-server \(process \d+\)$"));
    }

    // mm's own count (the figures MmStats reports while the process lives), logged when it ends.
    [Fact]
    public void Mm_counts_about_1000_faults_served_for_the_touching_application()
    {
        var counts = _boot.Lines.Select(l => Regex.Match(l, @"^mm: pager: process \d+ \(pagerapp\) ended: (\d+) faults served by mm, \d+ by the kernel at the last look, 0 answered with a signal$"))
            .Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value)).ToList();
        Assert.Contains(counts, c => c >= 1000 && c <= 1100);
    }

    [Fact]
    public void The_kernel_drops_a_silent_pager_with_one_line()
    {
        Assert.Single(_boot.Lines, l => l == "biscuit: pager: it did not answer a page fault within 1000 ms; the kernel serves application page faults itself again");
        Assert.DoesNotContain(_boot.Lines, l => l.Contains("restarting", StringComparison.Ordinal));
    }

    // Where the time goes on each path (printed, not judged: TCG on a shared host).
    [Fact]
    public void Both_paths_report_where_a_faults_cycles_go()
    {
        Assert.Contains(_boot.Lines, l => Regex.IsMatch(l, @"^pagerhost: mm as pager: first touch \d+ cycles .*entry \d+, to mm \d+, mm's decision \d+, check \d+, frame \d+, zero \d+, map \d+, resume \d+$"));
        Assert.Contains(_boot.Lines, l => Regex.IsMatch(l, @"^pagerhost: kernel as pager: first touch \d+ cycles .*entry \d+, lookup \d+, frame \d+, zero \d+, map \d+, exit \d+$"));
    }
}

public sealed class MmPagerKillBoot : SuiteBoot
{
    public MmPagerKillBoot() : base(MmPagerBoot.Boot("mm-pager-kill")) { }
}

public class MmPagerKillTests : IClassFixture<MmPagerKillBoot>
{
    private readonly MmPagerKillBoot _boot;
    public MmPagerKillTests(MmPagerKillBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "mm registers as the pager of applications",
        "mm killed while an application faults: the kernel serves its faults and it finishes",
        "mm, restarted by init, registers again and serves faults",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Pagerhost_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_init_ends_with_its_status() =>
        _boot.AssertReportedExactly(Cases, _ => true);

    [Fact]
    public void The_kernel_falls_back_once_with_one_line_and_mm_registers_twice()
    {
        Assert.Contains(_boot.Lines, l => l.StartsWith("init: injected kill into mm", StringComparison.Ordinal));
        Assert.Single(_boot.Lines, l => l == "biscuit: pager: its server died; the kernel serves application page faults itself again");
        Assert.Equal(2, _boot.Lines.Count(l => Regex.IsMatch(l, @"^biscuit: pager: application page faults go to mm-server \(process \d+\)$")));
    }
}
