// /proc/<pid>/stat, the file busybox's ps reads for every process (proc(5)): one line, 52 fields,
// the command name in parentheses, and the process's parent, group and session.
namespace Biscuit.Posix.Tests;

public sealed class ProcStatTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void Proc_pid_stat_has_the_52_fields_of_proc_5_with_the_name_parent_group_and_session()
    {
        lock (h.Process.Gate)
        {
            h.Process.ExecutablePath = "/bin/busybox";
            h.Process.ParentPid = 3;
            h.Process.ProcessGroup = 5;
            h.Process.Session = 6;
        }
        int fd = h.Open($"/proc/{h.Process.VisiblePid}/stat", O.RDONLY);
        string line = h.Read(fd, 4096);
        Assert.EndsWith("\n", line);
        Assert.StartsWith($"{h.Process.VisiblePid} (busybox) R 3 5 6 ", line);
        Assert.Equal(52, line.TrimEnd('\n').Split(' ').Length);
    }

    [Fact]
    public void Proc_pid_lists_stat_and_a_missing_pid_has_no_stat()
    {
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Openat, PosixHarness.U(At.FDCWD), h.Put("/proc/999/stat"), (ulong)O.RDONLY, 0));
        int dir = h.Open("/proc/self", O.RDONLY | O.DIRECTORY);
        ulong buffer = h.Alloc(4096);
        long n = h.Call(LinuxCall.Getdents64, (ulong)dir, buffer, 4096);
        Assert.True(n > 0);
        Assert.Contains("stat\0", h.GetString(buffer, (int)n));
    }
}
