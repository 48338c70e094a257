// The contents of /proc (proc(5)), made when a file is opened:
//   /proc/meminfo               MemTotal/MemFree/MemAvailable (kB): what the caller is entitled to, as the
//                               kernel's sysinfo tells it (microkernel/Kernel/Linux/InfoCalls.cs): MemTotal
//                               its budget (page quota), MemFree = MemAvailable = budget - resident, at most
//                               the machine's free memory; a process without a quota sees the machine
//   /proc/biscuit/gc            every server's GC and request figures (lib's Stats table)
//   /proc/biscuit/cpu           every process's cycles, system calls and IPC calls (the kernel's cpu_census)
//   /proc/biscuit/resources     what posix, fs and net hold for applications (ResourceReport.cs)
//   /proc/self -> /proc/<pid>   a symbolic link to the caller's directory
// <pid> is the kernel's pid (what getpid() answers) once posix has seen a call of the process.
//   /proc/<pid>/cmdline         argv, NUL-separated;  /proc/<pid>/status  Name, State, Pid, PPid, Uid, Gid
//   /proc/<pid>/stat            the 52 fields of proc(5) (what busybox's ps reads): pid, comm, state,
//                               ppid, pgrp, session, 1 thread; times, sizes and addresses are 0
//   /proc/<pid>/exe, /proc/<pid>/cwd   symbolic links
// Anything else under /proc is ENOENT.
using System.Text;

namespace Biscuit.Posix;

public sealed class ProcFiles(ISystemServices system, ProcessTable processes)
{
    public const byte DtDir = 4, DtReg = 8, DtLnk = 10, DtChr = 2;

    public enum Kind { Missing, Directory, File, Link }

    /// <summary>What `path` (under /proc) is, for the caller `self`.</summary>
    public Kind Classify(string path, PosixProcess self, out string linkTarget)
    {
        linkTarget = "";
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);   // parts[0] == "proc"
        if (parts.Length == 1) return Kind.Directory;
        if (parts[1] == "meminfo") return parts.Length == 2 ? Kind.File : Kind.Missing;
        if (parts[1] == "biscuit")
            return parts.Length == 2 ? Kind.Directory : parts.Length == 3 && parts[2] is "gc" or "cpu" or "resources" ? Kind.File : Kind.Missing;
        // As Linux: /proc/self is a relative link, its target the pid alone (readlink gives "1234").
        if (parts[1] == "self" && parts.Length == 2) { linkTarget = self.VisiblePid.ToString(); return Kind.Link; }
        var process = ProcessOf(parts[1], self);
        if (process is null) return Kind.Missing;
        if (parts.Length == 2) return Kind.Directory;
        if (parts.Length != 3) return Kind.Missing;
        switch (parts[2])
        {
            case "cmdline" or "status" or "stat": return Kind.File;
            case "exe": lock (process.Gate) linkTarget = process.ExecutablePath; return Kind.Link;
            case "cwd": lock (process.Gate) linkTarget = process.WorkingDirectory; return Kind.Link;
            default: return Kind.Missing;
        }
    }

    /// <summary>The bytes a process may still use, as sysinfo reports them to it: its budget, and the budget
    /// less its resident pages, never more than the machine has free. No quota: the machine's figures.</summary>
    public static (long Total, long Free) Entitlement(MemoryFigures m)
    {
        const long Page = 4096;
        if (m.QuotaPages <= 0) return (m.TotalFrames * Page, m.FreeFrames * Page);
        long left = Math.Max(0, m.QuotaPages - m.ResidentPages);
        return (m.QuotaPages * Page, Math.Min(left, m.FreeFrames) * Page);
    }

    /// <summary>The /proc path with a leading "/proc/self/" replaced, so that names inside it resolve
    /// ("/proc/self/exe"); "/proc/self" itself stays a link.</summary>
    public string Canonical(string path, PosixProcess self) =>
        path.StartsWith("/proc/self/", StringComparison.Ordinal) ? $"/proc/{self.VisiblePid}" + path["/proc/self".Length..] : path;

    public byte[] Contents(string path, PosixProcess self)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts[1] == "meminfo")
        {
            KernelProcess caller;
            lock (self.Gate) caller = self.Kernel;
            var (total, free) = Entitlement(system.MemoryOf(caller) ?? throw new SyscallFailure(Errno.EIO, "memory_info refused"));
            return Encoding.ASCII.GetBytes($"MemTotal:       {total / 1024,8} kB\nMemFree:        {free / 1024,8} kB\nMemAvailable:   {free / 1024,8} kB\n");
        }
        if (parts[1] == "biscuit")
            return Encoding.UTF8.GetBytes(parts[2] switch
            {
                "cpu" => system.CpuStatistics(),
                "resources" => ResourceReport.Format(processes, system),
                _ => system.ServerStatistics(),
            });
        var process = ProcessOf(parts[1], self) ?? throw new SyscallFailure(Errno.ENOENT);
        lock (process.Gate)
        {
            if (parts[2] == "cmdline")
                return Encoding.UTF8.GetBytes(string.Concat(process.Arguments.Select(a => a + "\0")));
            var c = process.Credentials;
            string name = Path.GetFileName(process.ExecutablePath);
            if (parts[2] == "stat") return Encoding.UTF8.GetBytes(StatLine(process, name));
            return Encoding.UTF8.GetBytes(
                $"Name:\t{name}\nState:\tR (running)\nPid:\t{process.VisiblePid}\nPPid:\t{process.ParentPid}\n" +
                $"Uid:\t{c.RealUid}\t{c.EffectiveUid}\t{c.SavedUid}\t{c.EffectiveUid}\n" +
                $"Gid:\t{c.RealGid}\t{c.EffectiveGid}\t{c.SavedGid}\t{c.EffectiveGid}\n");
        }
    }

    // proc(5) /proc/pid/stat: pid (comm) state, then 49 numbers. What posix knows is filled in
    // (ppid, pgrp, session, num_threads 1, exit_signal SIGCHLD); tty_nr 0 and tpgid -1 (no
    // controlling terminal recorded per process); times, sizes and addresses 0.
    private static string StatLine(PosixProcess process, string name)
    {
        var numbers = new long[49];
        numbers[0] = process.ParentPid;
        numbers[1] = process.ProcessGroup;
        numbers[2] = process.Session;
        numbers[4] = -1;                  // tpgid
        numbers[14] = 20;                 // priority
        numbers[16] = 1;                  // num_threads
        numbers[35] = 17;                 // exit_signal
        return $"{process.VisiblePid} ({(name.Length > 15 ? name[..15] : name)}) R {string.Join(' ', numbers)}\n";
    }

    public List<FsDirEntry> List(string path, PosixProcess self)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var list = new List<FsDirEntry> { new(".", 1, DtDir), new("..", 1, DtDir) };
        if (parts.Length == 1)
        {
            list.Add(new("meminfo", 2, DtReg));
            list.Add(new("biscuit", 3, DtDir));
            list.Add(new("self", 4, DtLnk));
            foreach (var p in processes.All()) list.Add(new(p.VisiblePid.ToString(), 1000 + (ulong)p.Pid, DtDir));
        }
        else if (parts[1] == "biscuit") { list.Add(new("gc", 5, DtReg)); list.Add(new("cpu", 6, DtReg)); list.Add(new("resources", 7, DtReg)); }
        else
        {
            list.Add(new("cmdline", 6, DtReg));
            list.Add(new("status", 7, DtReg));
            list.Add(new("stat", 10, DtReg));
            list.Add(new("exe", 8, DtLnk));
            list.Add(new("cwd", 9, DtLnk));
        }
        return list;
    }

    private PosixProcess? ProcessOf(string name, PosixProcess self)
    {
        if (name == "self") return self;
        if (!int.TryParse(name, out int pid) || pid <= 0) return null;
        return pid == self.VisiblePid ? self : processes.FindVisible(pid);
    }
}
