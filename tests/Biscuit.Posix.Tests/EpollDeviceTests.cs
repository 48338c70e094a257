// epoll_ctl(2) on devices and synthetic directories, as Linux answers: /dev/null and /dev/zero have no
// poll operation (EPERM), /dev/urandom and the console do; /dev and /proc directories are EPERM like
// every directory. Found by tests/conformance/events.c, whose output on Biscuit must equal Linux's.
using System.Buffers.Binary;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class EpollDeviceTests : IDisposable
{
    private const uint EPOLLIN = 1;
    private const ulong Add = 1;
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private ulong Event(uint events)
    {
        var bytes = new byte[12];                      // struct epoll_event is packed on x86-64
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, events);
        return h.Put(bytes);
    }

    private long AddToEpoll(string path, int flags)
    {
        int ep = (int)h.Call(LinuxCall.EpollCreate1, 0);
        int fd = h.Open(path, flags);
        Assert.True(fd >= 0, $"open {path}: {fd}");
        return h.Call(LinuxCall.EpollCtl, (ulong)ep, Add, (ulong)fd, Event(EPOLLIN));
    }

    [Theory]
    [InlineData("/dev/null")]
    [InlineData("/dev/zero")]
    public void Epoll_of_a_device_without_poll_is_EPERM(string path) => Assert.Equal(-Errno.EPERM, AddToEpoll(path, O.RDWR));

    [Theory]
    [InlineData("/dev/urandom")]
    [InlineData("/dev/console")]
    public void Epoll_of_a_device_with_poll_is_accepted(string path) => Assert.Equal(0, AddToEpoll(path, O.RDWR));

    [Theory]
    [InlineData("/dev")]
    [InlineData("/proc")]
    public void Epoll_of_a_synthetic_directory_is_EPERM(string path) => Assert.Equal(-Errno.EPERM, AddToEpoll(path, O.RDONLY | O.DIRECTORY));
}
