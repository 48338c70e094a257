// Benchmark "posix": the same static program, bench/linux/posixbench.c (musl-gcc -static, built once
// by bench/linux/build.sh), run unchanged on Biscuit — as posix's first program, the way
// `./biscuit run --add FILE:/bin/posixbench --exec /bin/posixbench` runs it — and on the Debian Linux
// guest, in alternating boots (Biscuit, Linux; `--repeat N` rounds) on the same emulated machine:
// Biscuit's QEMU line comes from ./biscuit's run_manifest/attach_root_disk/qemu_args, the Linux
// guest's is that line with only -kernel/-initrd/-append changed: it keeps the root disk (a fresh
// copy of the same image), mounts it and runs the program chrooted there (init.sh's disk=vda), so
// both read the program and write their files on the same ext3 image over virtio-blk.
// Invariants: both guests run byte-identical programs (the sha256 of the file added to Biscuit's disk
// is the one packed in the Linux initramfs, checked before any boot); an operation Biscuit cannot do
// is reported with the program's own error line (errno) and the system's serial lines about it,
// never dropped; a boot that fails is recorded with its error and the run goes on.
using System.Security.Cryptography;

namespace Biscuit.Bench;

public sealed record PosixBoot(string Guest, int Round)
{
    public Dictionary<string, PosixFigure> Figures { get; set; } = new();
    public Dictionary<string, string> Failures { get; set; } = new();   // operation -> why it has no figure
    public Dictionary<string, string> OtherFailures { get; set; } = new(); // a failed step between operations (pipe_cleanup, ...) -> why
    public double? TscGhz { get; set; }
    public bool Completed { get; set; }                                  // "posixbench done" was printed
    public string? Ended { get; set; }                                   // how the program ended (guest's own line)
    public List<string> SystemNotes { get; set; } = new();               // serial lines of the system that explain a failure
    public string? Error { get; set; }                                   // the boot itself failed (timeout, QEMU died)
}

public static class PosixBenchmark
{
    public const string Memory = "1G";                       // `./biscuit run`'s default
    public const string GuestPath = "/bin/posixbench";       // the same path in both guests
    // A full Biscuit run took ~50 s on a loaded host, a quick one ~15 s; the Linux guest's ~20 s and ~10 s.
    private static TimeSpan Timeout(string guest, bool quick) =>
        TimeSpan.FromMinutes(guest == "biscuit" ? (quick ? 5 : 15) : (quick ? 4 : 6));
    private const string BiscuitEnded = "posix: pid 1 (posixbench) ended";
    private const string GaveUp = ": left down";

    public static Dictionary<string, object> Run(string root, int repetitions, bool quick, Action<string> progress)
    {
        var linux = LinuxGuest.Build(root);
        string program = Path.Combine(root, "build", "linux", "rootfs", "bin", "posixbench");
        if (!File.Exists(program)) throw new InvalidOperationException($"{program} is missing: bench/linux/build.sh did not build posixbench");
        var biscuit = BiscuitGuest.Prepare(root);
        progress("building Biscuit's root disk with /bin/posixbench");
        string disk = BiscuitGuest.RootDiskWith(root, Path.Combine(root, "build", "bench-posix"), $"{program}:{GuestPath}");
        string sha = Sha256(program), onDisk = Sha256(Path.Combine(root, "build", "bench-posix", "rootfs", GuestPath.TrimStart('/')));
        if (sha != onDisk) throw new InvalidOperationException($"Biscuit's root disk holds a posixbench with sha256 {onDisk}, the Linux guest's has {sha}");

        string arguments = quick ? " --quick" : "";
        string loadBefore = LinuxHostLoad.Now();
        var boots = new List<PosixBoot>();
        List<string>? biscuitArgs = null, linuxArgs = null;
        for (int round = 1; round <= repetitions; round++)
            foreach (string guest in new[] { "biscuit", "linux" })
            {
                progress($"round {round}/{repetitions}: {guest}");
                int port = HttpTools.FreeLoopbackPort();
                var boot = new PosixBoot(guest, round);
                boots.Add(boot);
                try
                {
                    var args = biscuit.QemuArgumentsRunning(Memory, port, GuestPath + arguments, disk);
                    if (guest == "linux")
                        args = linux.QemuArgumentsLike(args, LinuxGuest.BaseAppend + " run=posixbench disk=vda" + (quick ? " args=--quick" : ""),
                                                       keepRootDisk: true);
                    if (guest == "linux") linuxArgs ??= args; else biscuitArgs ??= args;
                    RunOnce(boot, args, Timeout(guest, quick));
                }
                catch (InvalidOperationException e)
                {
                    boot.Error = e.Message;
                    Console.Error.WriteLine($"\nbench: posix: {guest} round {round} failed: {e.Message.Split('\n')[0]}");
                }
                finally
                {
                    File.Delete(biscuit.RootDiskCopy(port));     // attach_root_disk's copy; build/bench-posix/rootfs.ext3 stays
                    if (Directory.Exists(biscuit.RunManifestFolder(port))) Directory.Delete(biscuit.RunManifestFolder(port), recursive: true);
                }
            }
        return new Dictionary<string, object>
        {
            ["repetitions"] = repetitions,
            ["quick"] = quick,
            ["memory"] = Memory,
            ["kernel"] = linux.KernelVersion,
            ["program"] = $"{GuestPath}{arguments} (bench/linux/posixbench.c, musl-gcc -static)",
            ["program_sha256"] = sha,
            ["file_system"] = new Dictionary<string, string>
            {
                ["biscuit"] = "/tmp on the root disk (build/bench-posix/rootfs.ext3, a fresh copy per boot, virtio-blk), ext3 served by the fs server",
                ["linux"] = "/tmp on the same root disk image (a fresh copy per boot, virtio-blk), ext3 mounted by Linux's ext4 driver; " +
                            "the program runs chrooted there, so /bin/posixbench too is read from that disk",
            },
            ["host_cores"] = Environment.ProcessorCount,
            ["host_loadavg_before"] = loadBefore,
            ["host_loadavg_after"] = LinuxHostLoad.Now(),
            ["qemu_biscuit"] = biscuitArgs ?? new List<string>(),
            ["qemu_linux"] = linuxArgs ?? new List<string>(),
            ["boots"] = boots,
            ["operations"] = PosixSummary.Of(boots),
            ["time_base_ghz"] = (object?)PosixSummary.TimeBaseGhz(boots) ?? "none: no boot calibrated its TSC",
        };
    }

    // Boots one guest with the program and reads what it printed. Biscuit keeps running after its
    // first program ends (posix logs "pid 1 (posixbench) ended, wait status S"): QEMU is stopped then.
    // The Linux guest's /init powers off after the program ("linux-init: posixbench exited rc=N").
    private static void RunOnce(PosixBoot boot, List<string> args, TimeSpan timeout)
    {
        using var qemu = GuestQemu.Start(args);
        bool biscuit = boot.Guest == "biscuit";
        string endMarker = biscuit ? BiscuitEnded : "linux-init: posixbench exited";
        var deadline = DateTime.UtcNow + timeout;
        // init leaves a server down after repeated deaths ("init: fs exited ...; 5 restarts within 60 s: left down"):
        // then no program can run, and waiting longer tells nothing more.
        while (DateTime.UtcNow < deadline && !qemu.HasExited && qemu.SeenAt(endMarker) == null && qemu.SeenAt(GaveUp) == null) Thread.Sleep(250);
        if (biscuit && qemu.SeenAt(endMarker) != null) Thread.Sleep(500);   // the system's last words about it
        var lines = qemu.Lines.Select(l => l.Text.TrimEnd('\r')).ToList();
        var output = PosixOutput.Parse(lines);
        boot.Ended = lines.FirstOrDefault(l => l.StartsWith(endMarker, StringComparison.Ordinal));
        boot.Completed = output.Done;
        boot.TscGhz = output.TscGhz;
        boot.Figures = output.Figures;
        string? gaveUp = biscuit ? lines.FirstOrDefault(l => l.Contains(GaveUp)) : null;
        string ending = boot.Ended != null ? $"the program ended before it ({boot.Ended})"
            : gaveUp != null ? $"a server was left down ({gaveUp})"
            : qemu.HasExited ? $"QEMU exited ({qemu.ExitCode}) before it"
            : $"the guest gave no result within {timeout.TotalMinutes:F0} minutes";
        foreach (var op in PosixOutput.Operations)
            if (output.Missing(op, ending) is { } why) boot.Failures[op] = why;
        foreach (var (step, why) in output.Failures)
            if (!PosixOutput.Operations.Contains(step)) boot.OtherFailures[step] = why;
        if (biscuit) boot.SystemNotes = SystemNotes(lines);
        if (!output.Started)
            throw new InvalidOperationException($"posixbench never started on {boot.Guest} ({ending.Replace(" before it", "")})\n{qemu.Tail(40, Noise)}");
        if (boot.Ended == null)
            throw new InvalidOperationException($"posixbench did not end on {boot.Guest} ({ending})\n{qemu.Tail(40, Noise)}");
    }

    // Serial lines, from the program's start on, in which Biscuit's kernel or servers speak of a
    // refused or failed call, a fault or a death: what a reader needs to see beside an operation that
    // failed (the servers' own start-up lines come before and are not about it). When the program
    // never started: the lines in which init or the kernel say a server could not start or died.
    // One of each, in order, at most 20.
    public static List<string> SystemNotes(IEnumerable<string> lines)
    {
        var all = lines.ToList();
        if (!all.Any(l => l.StartsWith("posixbench start ", StringComparison.Ordinal)))
            return all.Where(l => l.Contains("cannot start") || l.Contains("left down") || l.Contains("exited with status") ||
                                  l.Contains("panic") || l.Contains("Exception") || l.Contains("posix: "))
                      .Where(l => !Noise(l)).Distinct().Take(20).ToList();
        return AfterStart(all);
    }

    private static List<string> AfterStart(List<string> lines) =>
        lines.SkipWhile(l => !l.StartsWith("posixbench start ", StringComparison.Ordinal))
             .Where(l => !l.StartsWith("posixbench ", StringComparison.Ordinal) && !Noise(l) &&
                         (l.Contains("ENOSYS") || l.Contains("not implemented") || l.Contains("fault") || l.Contains("error") ||
                          l.Contains("Exception") || l.Contains("failed") || l.Contains("panic") ||
                          (l.StartsWith("posix: pid 1 ", StringComparison.Ordinal) && !l.EndsWith("wait status 0", StringComparison.Ordinal))))
             .Distinct().Take(20).ToList();

    // The net server's periodic frame counters and the per-process end lines of the fork benchmarks.
    private static bool Noise(string line) =>
        line.StartsWith("net: frames in ", StringComparison.Ordinal) ||
        (line.StartsWith("posix: pid ", StringComparison.Ordinal) && !line.StartsWith("posix: pid 1 ", StringComparison.Ordinal) &&
         line.EndsWith("wait status 0", StringComparison.Ordinal));

    private static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
