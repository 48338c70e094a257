// Benchmark "fs": the same static program, bench/linux/fsbench.c (musl-gcc -static, built once by
// bench/linux/build.sh), on Biscuit — as posix's first program, as `./biscuit run --add … --exec
// '/bin/fsbench …'` runs it — and on the Debian Linux guest, in alternating boots (Biscuit, Linux;
// `--repeat N` rounds) on the same emulated machine, both on the same ext3 image over virtio-blk:
// Biscuit's root disk with /bin/fsbench added, grown on the host (truncate + resize2fs) so that the
// large file fits, and copied fresh for every boot of either guest. The Linux guest's QEMU line is
// Biscuit's with only -kernel/-initrd/-append changed (init.sh's disk=vda mounts that disk and runs
// the program chrooted there).
// Invariants: both guests run byte-identical programs (sha256 checked before any boot) on disks of
// the same size made from the same image; a phase Biscuit cannot do is reported with the program's
// errno line and the system's serial lines, never dropped; a boot that fails is recorded and the
// run goes on.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Biscuit.Bench;

public sealed record FsBoot(string Guest, int Round)
{
    public Dictionary<string, FsFigure> Figures { get; set; } = new();
    public Dictionary<string, string> Failures { get; set; } = new();      // phase -> why it has no figure
    public Dictionary<string, string> OtherFailures { get; set; } = new(); // a clean-up step -> why
    public Dictionary<string, string> Cache { get; set; } = new();         // read phase -> "dropped" / "kept: why"
    public Dictionary<string, FsServerWindow> FsServer { get; set; } = new(); // Biscuit: phase -> fs's GC in it
    public double? TscGhz { get; set; }
    public bool Completed { get; set; }                                     // "fsbench done" was printed
    public string? Ended { get; set; }
    public List<string> SystemNotes { get; set; } = new();
    public string? Error { get; set; }
    [JsonIgnore] public FsOutput? Output { get; set; }                      // kept until the windows are read
}

public sealed record FsOptions(int FileMib, int Files, int RandomOps, int Repetitions, bool Quick)
{
    public static FsOptions Full(int repetitions) => new(1024, 2000, 4000, repetitions, false);
    public static FsOptions Short(int repetitions) => new(32, 200, 400, repetitions, true);
    // In `./biscuit bench` with no names (every benchmark, meant to end within 30 min): a 64 MiB file,
    // 400 small files, 2,000 random reads. `./biscuit bench fs` alone runs Full.
    public static FsOptions Suite(int repetitions) => new(64, 400, 2000, repetitions, false);
    public string ProgramArguments => $"--size-mib {FileMib} --files {Files} --rand-ops {RandomOps}";
    // The disk: the root image grown by the file, plus room for the journal's and directories' blocks.
    public long ExtraDiskMib => FileMib + Math.Max(64, FileMib / 8);
}

public static class FsBenchmark
{
    public const string Memory = "1G";                    // `./biscuit run`'s default
    public const string GuestPath = "/bin/fsbench";
    private const string BiscuitEnded = "posix: pid 1 (fsbench) ended";
    private const string LinuxEnded = "linux-init: fsbench exited";
    private const string GaveUp = ": left down";

    // A full Biscuit boot writes and reads 1 GiB through posix and fs at ~10–20 MiB/s of emulated time.
    private static TimeSpan Timeout(string guest, bool quick) =>
        TimeSpan.FromMinutes(quick ? (guest == "biscuit" ? 5 : 4) : (guest == "biscuit" ? 45 : 20));

    public static Dictionary<string, object> Run(string root, FsOptions options, Action<string> progress)
    {
        var linux = LinuxGuest.Build(root);
        string program = Path.Combine(root, "build", "linux", "rootfs", "bin", "fsbench");
        if (!File.Exists(program)) throw new InvalidOperationException($"{program} is missing: bench/linux/build.sh did not build fsbench");
        var biscuit = BiscuitGuest.Prepare(root);
        progress("building Biscuit's root disk with /bin/fsbench");
        string folder = Path.Combine(root, "build", "bench-fs");
        string image = BiscuitGuest.RootDiskWith(root, folder, $"{program}:{GuestPath}");
        string sha = Sha256(program), onDisk = Sha256(Path.Combine(folder, "rootfs", GuestPath.TrimStart('/')));
        if (sha != onDisk) throw new InvalidOperationException($"Biscuit's root disk holds an fsbench with sha256 {onDisk}, the Linux guest's has {sha}");
        progress($"growing a copy of the disk by {options.ExtraDiskMib} MiB");
        string disk = Path.Combine(folder, "rootfs-grown.ext3");
        long diskBytes = Grow(image, disk, options.ExtraDiskMib);

        string loadBefore = LinuxHostLoad.Now();
        var boots = new List<FsBoot>();
        List<string>? biscuitArgs = null, linuxArgs = null;
        string arguments = options.ProgramArguments;
        for (int round = 1; round <= options.Repetitions; round++)
            foreach (string guest in new[] { "biscuit", "linux" })
            {
                progress($"round {round}/{options.Repetitions}: {guest}");
                int port = HttpTools.FreeLoopbackPort();
                var boot = new FsBoot(guest, round);
                boots.Add(boot);
                try
                {
                    var args = biscuit.QemuArgumentsRunning(Memory, port, $"{GuestPath} {arguments}", disk);
                    if (guest == "linux")
                        args = linux.QemuArgumentsLike(args, LinuxGuest.BaseAppend + " run=fsbench disk=vda args=" + arguments.Replace(' ', ','),
                                                       keepRootDisk: true);
                    if (guest == "linux") linuxArgs ??= args; else biscuitArgs ??= args;
                    RunOnce(boot, args, Timeout(guest, options.Quick));
                }
                catch (InvalidOperationException e)
                {
                    boot.Error = e.Message;
                    Console.Error.WriteLine($"\nbench: fs: {guest} round {round} failed: {e.Message.Split('\n')[0]}");
                }
                finally
                {
                    File.Delete(biscuit.RootDiskCopy(port));
                    if (Directory.Exists(biscuit.RunManifestFolder(port))) Directory.Delete(biscuit.RunManifestFolder(port), recursive: true);
                }
            }
        double? timeBase = FsSummary.TimeBaseGhz(boots);
        foreach (var boot in boots.Where(b => b.Guest == "biscuit" && b.Output != null))
            foreach (string phase in FsOutput.Phases)
                boot.FsServer[phase] = FsServerWindow.Of(boot.Output!, phase, timeBase ?? 1.0);
        return new Dictionary<string, object>
        {
            ["repetitions"] = options.Repetitions,
            ["quick"] = options.Quick,
            ["memory"] = Memory,
            ["kernel"] = linux.KernelVersion,
            ["program"] = $"{GuestPath} {arguments} (bench/linux/fsbench.c, musl-gcc -static)",
            ["program_sha256"] = sha,
            ["file_mib"] = options.FileMib,
            ["small_files"] = options.Files,
            ["random_reads"] = options.RandomOps,
            ["disk_bytes"] = diskBytes,
            ["disk"] = $"Biscuit's root disk with {GuestPath}, grown by {options.ExtraDiskMib} MiB (truncate + resize2fs on the host) to " +
                       $"{diskBytes >> 20} MiB; a fresh copy per boot of either guest, virtio-blk; files in /tmp on it. " +
                       "Biscuit: ext3 served by the fs server (through blk); Linux: mounted by its ext4 driver, the program chrooted there",
            ["host_cores"] = Environment.ProcessorCount,
            ["host_loadavg_before"] = loadBefore,
            ["host_loadavg_after"] = LinuxHostLoad.Now(),
            ["qemu_biscuit"] = biscuitArgs ?? new List<string>(),
            ["qemu_linux"] = linuxArgs ?? new List<string>(),
            ["boots"] = boots,
            ["phases"] = FsSummary.Of(boots, timeBase),
            ["time_base_ghz"] = (object?)timeBase ?? "none: no boot calibrated its TSC",
        };
    }

    // A sparse copy of `image` grown by `extraMib` (truncate, then e2fsck -fp and resize2fs, which
    // wants a freshly checked file system); returns its size in bytes.
    private static long Grow(string image, string grown, long extraMib)
    {
        long size = (new FileInfo(image).Length + (extraMib << 20) + (1 << 20) - 1) >> 20 << 20;
        Run("cp", "--sparse=always", image, grown);
        Run("truncate", "-s", size.ToString(System.Globalization.CultureInfo.InvariantCulture), grown);
        Run("e2fsck", "-fp", grown);
        Run("resize2fs", grown);
        return new FileInfo(grown).Length;
    }

    private static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"{tool} could not run ({e.Message}): install e2fsprogs and coreutils"); }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed (exit {p.ExitCode}):\n{output}{err.Result}");
        }
    }

    // Boots one guest with the program and reads what it printed; Biscuit is stopped once posix logs
    // the end of pid 1, the Linux guest powers itself off after the program.
    private static void RunOnce(FsBoot boot, List<string> args, TimeSpan timeout)
    {
        using var qemu = GuestQemu.Start(args);
        bool biscuit = boot.Guest == "biscuit";
        string endMarker = biscuit ? BiscuitEnded : LinuxEnded;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !qemu.HasExited && qemu.SeenAt(endMarker) == null && qemu.SeenAt(GaveUp) == null) Thread.Sleep(250);
        if (biscuit && qemu.SeenAt(endMarker) != null) Thread.Sleep(500);
        var lines = qemu.Lines.Select(l => l.Text.TrimEnd('\r')).ToList();
        var output = FsOutput.Parse(lines);
        boot.Output = output;
        boot.Ended = lines.FirstOrDefault(l => l.StartsWith(endMarker, StringComparison.Ordinal));
        boot.Completed = output.Done;
        boot.TscGhz = output.TscGhz;
        boot.Figures = output.Figures;
        boot.Cache = output.Cache;
        string? gaveUp = biscuit ? lines.FirstOrDefault(l => l.Contains(GaveUp)) : null;
        string ending = boot.Ended != null ? $"the program ended before it ({boot.Ended})"
            : gaveUp != null ? $"a server was left down ({gaveUp})"
            : qemu.HasExited ? $"QEMU exited ({qemu.ExitCode}) before it"
            : $"the guest gave no result within {timeout.TotalMinutes:F0} minutes";
        foreach (var phase in FsOutput.Phases)
            if (output.Missing(phase, ending) is { } why) boot.Failures[phase] = why;
        foreach (var (step, why) in output.Failures)
            if (!FsOutput.Phases.Contains(step)) boot.OtherFailures[step] = why;
        if (biscuit) boot.SystemNotes = SystemNotes(lines);
        if (!output.Started)
            throw new InvalidOperationException($"fsbench never started on {boot.Guest} ({ending.Replace(" before it", "")})\n{qemu.Tail(40, Noise)}");
        if (boot.Ended == null)
            throw new InvalidOperationException($"fsbench did not end on {boot.Guest} ({ending})\n{qemu.Tail(40, Noise)}");
    }

    // Biscuit's serial lines from the program's start on that speak of a failure (not fsbench's own).
    public static List<string> SystemNotes(IEnumerable<string> lines) =>
        lines.SkipWhile(l => !l.StartsWith("fsbench start ", StringComparison.Ordinal))
             .Where(l => !l.StartsWith("fsbench ", StringComparison.Ordinal) && !Noise(l) &&
                         (l.Contains("ENOSYS") || l.Contains("fault") || l.Contains("error") || l.Contains("Exception") ||
                          l.Contains("failed") || l.Contains("panic") || l.Contains("left down") ||
                          (l.StartsWith("posix: pid 1 ", StringComparison.Ordinal) && !l.EndsWith("wait status 0", StringComparison.Ordinal))))
             .Distinct().Take(20).ToList();

    private static bool Noise(string line) => line.StartsWith("net: frames in ", StringComparison.Ordinal);

    private static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
