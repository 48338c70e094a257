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

// The mm server (issue 8, DESIGN.md §6), started by init from tests/manifests/mm with the device
// manager as its authority and echo's endpoint (a lib server it may ask to shrink), next to oomhost
// (tests/guest/oomhost.c), a miniature posix whose application memhog eats memory page by page. mm
// must notice the free frames falling below its low-water mark, first ask echo to Shrink and look
// again, then kill memhog — the largest application — with SIGKILL, logging each step with the
// numbers, while no server dies and oomhost (a server) keeps working.
public sealed class MmServerBoot : SuiteBoot
{
    public MmServerBoot() : base(BootWithGuests("mm")) { }

    // init with tests/manifests/NAME, mm-server, echo-server, and the guest programs oomhost and memhog.
    public static QemuRun BootWithGuests(string manifest)
    {
        _ = Repository.KernelImage;   // builds everything, modules and guests included
        string modules = Path.Combine(Repository.Build, "modules"), guests = Path.Combine(Repository.Build, "guest");
        string initrd = string.Join(",", Path.Combine(Repository.Build, "kernel.syms"), Path.Combine(modules, "init"),
            Path.Combine(Repository.Root, "tests", "manifests", manifest, "manifest"), Path.Combine(modules, "mm-server"),
            Path.Combine(modules, "echo-server"), Path.Combine(guests, "oomhost"), Path.Combine(guests, "memhog"));
        string args = "-m 256M -smp 1 -display none -monitor none -serial stdio -serial null -no-reboot -nic none " +
                      "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
                      $"-kernel \"{Repository.KernelImage}\" -initrd \"{initrd}\" -append \"init=init exit=init\"";
        var (code, output) = Repository.Run("qemu-system-x86_64", args, TimeSpan.FromSeconds(300));
        return new QemuRun(code, output, code == -1);
    }
}

public class MmServerTests : IClassFixture<MmServerBoot>
{
    private readonly MmServerBoot _boot;
    public MmServerTests(MmServerBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "memhog, an application eating memory, is killed with SIGKILL",
        "memhog ate most of the free memory before it was stopped",
        "the memory memhog held came back",
        "a server keeps working after the kill: 8 MiB mapped, written and read back",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Oomhost_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_suite_reports_exactly_the_listed_cases_and_init_ends_with_its_status() =>
        _boot.AssertReportedExactly(Cases, _ => true);

    [Fact]
    public void Mm_starts_watching_with_its_low_water_mark()
    {
        Assert.Contains(_boot.Lines, l => l.StartsWith("init: started mm", StringComparison.Ordinal));
        Assert.Matches(@"^mm: watching memory every 10 ms: \d+ of \d+ frames free, low water 4096$",
            _boot.Lines.Single(l => l.StartsWith("mm: watching", StringComparison.Ordinal)));
        Assert.Contains("mm: below the mark it first asks echo to shrink", _boot.Lines);
    }

    // Shrink, then kill (issue 8 item 5): the first time memory falls below the mark, mm asks echo to
    // Shrink (echo answers with its heap before and after the collection) and reads the free frames
    // again, all before any kill; the kill line comes after the round.
    [Fact]
    public void Mm_asks_echo_to_shrink_and_looks_again_before_the_kill()
    {
        var lines = _boot.Lines.ToList();
        int low = lines.FindIndex(l => l.StartsWith("mm: low on memory: ", StringComparison.Ordinal));
        Assert.True(low >= 0, "no shrink round in the log");
        Assert.Matches(@"^mm: low on memory: \d+ frames free, below 4096 of \d+: asking 1 server to shrink$", lines[low]);
        int answer = lines.FindIndex(low, l => l.StartsWith("mm: shrink: echo ", StringComparison.Ordinal));
        Assert.True(answer > low, "echo's answer is not logged after the round began");
        Assert.Matches(@"^mm: shrink: echo dropped 0 cache bytes; heap \d+ -> \d+ bytes, committed \d+ -> \d+ bytes$", lines[answer]);
        int after = lines.FindIndex(answer, l => l.StartsWith("mm: after shrinking, ", StringComparison.Ordinal));
        Assert.True(after > answer, "no second look after the round");
        Assert.Matches(@"^mm: after shrinking, \d+ frames free \([+-]\d+\): (still below 4096|above 4096, no kill)$", lines[after]);
        int kill = lines.FindIndex(l => l.StartsWith("mm: out of memory: ", StringComparison.Ordinal));
        Assert.True(kill > after, $"the kill (line {kill}) came before the shrink round ended (line {after})");
    }

    // mm's line says why (the free frames under the mark) and whom (memhog, its resident pages); the
    // kernel's line confirms the kill was mm's, with its own numbers.
    [Fact]
    public void Mm_logs_the_kill_with_the_numbers_and_the_kernel_confirms_it()
    {
        var mm = _boot.Lines.Single(l => l.StartsWith("mm: out of memory: ", StringComparison.Ordinal));
        var m = Regex.Match(mm, @"^mm: out of memory: (\d+) frames free, below 4096 of \d+: killed process (\d+) \(memhog\), the largest application, (\d+) pages resident$");
        Assert.True(m.Success, mm);
        Assert.True(long.Parse(m.Groups[1].Value) < 4096);
        Assert.True(long.Parse(m.Groups[3].Value) > 10_000, mm);   // tens of MiB
        Assert.Contains(_boot.Lines, l => Regex.IsMatch(l,
            $@"^biscuit: out of memory: process {m.Groups[2].Value} \(memhog\) killed \(SIGKILL\) by mm-server; resident \d+ pages, \d+ frames free$"));
        Assert.Contains($"biscuit: process {m.Groups[2].Value} (memhog) killed by signal 9", _boot.Lines);
    }

    [Fact]
    public void No_server_dies_and_only_memhog_is_killed()
    {
        Assert.DoesNotContain(_boot.Lines, l => l.Contains("restarting", StringComparison.Ordinal));
        Assert.Single(_boot.Lines, l => Regex.IsMatch(l, @"^biscuit: process \d+ \(.*\) killed by signal"));
        Assert.DoesNotContain(_boot.Lines, l => l.Contains("frame for a", StringComparison.Ordinal));   // nobody starved of frames
    }
}

// mm started without its authority (tests/manifests/mm-noauth: no `devices`): the census is refused
// (EBADF: there is no handle 1), and mm says what is missing and exits instead of running blind;
// init carries on, and the system ends normally with its wait program.
public sealed class MmWithoutAuthorityBoot : SuiteBoot
{
    public MmWithoutAuthorityBoot() : base(MmServerBoot.BootWithGuests("mm-noauth")) { }
}

public class MmWithoutAuthorityTests : IClassFixture<MmWithoutAuthorityBoot>
{
    private readonly MmWithoutAuthorityBoot _boot;
    public MmWithoutAuthorityTests(MmWithoutAuthorityBoot boot) => _boot = boot;

    [Fact]
    public void Mm_without_the_device_manager_says_so_and_exits_and_the_system_goes_on()
    {
        Assert.Contains("mm: memory_census failed: -9 (handle 1 must be the device manager: the manifest line needs `devices`)", _boot.Lines);
        Assert.DoesNotContain(_boot.Lines, l => l.StartsWith("mm: watching", StringComparison.Ordinal));
        Assert.Contains(_boot.Lines, l => l.StartsWith("init: mm exited with status 1", StringComparison.Ordinal));
        Assert.Contains("init: oomhost exited with status 0", _boot.Lines);
        Assert.Equal(QemuRun.KernelSuccess, _boot.Run.ExitStatus);
    }
}

// The kernel's servers' reserve (issue 8 item 6: "the kernel keeps a reserve so that mm can always
// run"; microkernel/Kernel/Memory/UserFrames.cs): no mm runs (tests/manifests/reserve), so nothing
// but the kernel stops memhog. A server (oomhost) may eat into the last 1/256 of memory; an
// application is refused a frame once only the reserve is left, and dies of SIGSEGV with the
// kernel's line saying so, while the server goes on.
public sealed class ServersReserveBoot : SuiteBoot
{
    public ServersReserveBoot() : base(MmServerBoot.BootWithGuests("reserve")) { }
}

public class ServersReserveTests : IClassFixture<ServersReserveBoot>
{
    private readonly ServersReserveBoot _boot;
    public ServersReserveTests(ServersReserveBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "a server takes frames from the servers' reserve and gives them back",
        "an application stops at the servers' reserve with SIGSEGV",
        "the memory memhog held came back",
        "a server keeps working after it: 8 MiB mapped, written and read back",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Oomhost_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_kernel_says_memhog_found_only_the_reserve_free_and_about_that_many_frames_were()
    {
        var line = Assert.Single(_boot.Lines, l => l.StartsWith("biscuit: out of memory: ", StringComparison.Ordinal));
        var m = Regex.Match(line, @"^biscuit: out of memory: process \d+ \(memhog\) at 0x[0-9A-Fa-f]+, only the servers' reserve is free, no frame for a demand-zero fault; quota \d+ pages, resident \d+ pages, (\d+) frames free$");
        Assert.True(m.Success, line);
        long free = long.Parse(m.Groups[1].Value);
        // oomhost prints the reserve as the kernel computes it (1/256 of total_frames): "(reserve N)"
        long reserve = long.Parse(Regex.Match(string.Join("\n", _boot.Lines), @"\(reserve (\d+)\)").Groups[1].Value);
        Assert.True(free > 0 && free <= reserve, $"{free} frames free when memhog was refused (reserve {reserve})");
        Assert.Equal(QemuRun.KernelSuccess, _boot.Run.ExitStatus);
    }
}
