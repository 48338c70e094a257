// pwrite(2) on a descriptor opened with O_APPEND: Linux appends the bytes at the end of the file
// whatever the offset given, and the description's position does not move (pwrite(2), BUGS).
// Found by tests/conformance/files.c, whose output on Biscuit must equal Linux's.
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class PwriteAppendTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void Pwrite_at_offset_zero_on_an_O_APPEND_descriptor_appends_and_leaves_the_position()
    {
        int fd = h.Open("/log", O.CREAT | O.WRONLY);
        h.Write(fd, "12345");
        h.Call(LinuxCall.Close, (ulong)fd);
        fd = h.Open("/log", O.WRONLY | O.APPEND);
        Assert.Equal(1, h.Call(LinuxCall.Pwrite64, (ulong)fd, h.Put(Encoding.ASCII.GetBytes("Z")), 1, 0));
        Assert.Equal(0, h.Call(LinuxCall.Lseek, (ulong)fd, 0, Seek.CUR));
        Assert.Equal("12345Z", h.Read(h.Open("/log", O.RDONLY), 100));
    }

    [Fact]
    public void Pwrite_without_O_APPEND_still_writes_at_the_offset()
    {
        int fd = h.Open("/plain", O.CREAT | O.RDWR);
        h.Write(fd, "12345");
        Assert.Equal(1, h.Call(LinuxCall.Pwrite64, (ulong)fd, h.Put(Encoding.ASCII.GetBytes("Z")), 1, 0));
        Assert.Equal("Z2345", h.Read(h.Open("/plain", O.RDONLY), 100));
    }

    [Fact]
    public void Pwrite_at_a_negative_offset_on_an_O_APPEND_descriptor_is_EINVAL()
    {
        int fd = h.Open("/neg", O.CREAT | O.WRONLY | O.APPEND);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Pwrite64, (ulong)fd, h.Put(Encoding.ASCII.GetBytes("Z")), 1, U(-1)));
    }
}
