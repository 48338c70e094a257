// /proc/biscuit/resources (Vfs/ResourceReport.cs): what posix holds for applications — processes,
// descriptors, open file descriptions by kind — followed by what fs and net hold (ServerResources).
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class ProcResourcesTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private string Resources()
    {
        int fd = h.Open("/proc/biscuit/resources", O.RDONLY);
        string report = h.Read(fd, 4096);
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)fd));
        return report;
    }

    private static long Figure(string report, string name) =>
        long.Parse(report.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..]);

    [Fact]
    public void Each_descriptor_and_description_is_counted_by_kind_and_the_servers_figures_follow()
    {
        string before = Resources();
        ulong fds = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Pipe2, fds, 0));
        int file = h.Open("/made", O.CREAT | O.RDWR);
        Assert.True(h.Call(LinuxCall.Dup, (ulong)file) >= 0);
        string after = Resources();

        Assert.Equal(Figure(before, "posix processes"), Figure(after, "posix processes"));
        Assert.Equal(Figure(before, "posix descriptors") + 4, Figure(after, "posix descriptors"));    // 2 pipe ends, a file, its dup
        Assert.Equal(Figure(before, "posix open_files") + 3, Figure(after, "posix open_files"));      // the dup shares its description
        Assert.Equal(Figure(before, "posix pipes") + 2, Figure(after, "posix pipes"));
        Assert.Equal(Figure(before, "posix fs_files") + 1, Figure(after, "posix fs_files"));
        Assert.EndsWith(h.System.ServerResources(), after);
        Assert.Equal(0, h.Call(LinuxCall.Close, (ulong)file));
    }

    [Fact]
    public void Resources_is_listed_in_proc_biscuit()
    {
        int dir = h.Open("/proc/biscuit", O.RDONLY | O.DIRECTORY);
        ulong entries = h.Alloc(4096);
        long bytes = h.Call(LinuxCall.Getdents64, (ulong)dir, entries, 4096);
        Assert.Contains("resources", System.Text.Encoding.ASCII.GetString(h.Get(entries, (int)bytes)));
    }
}
