// A TAP device opened through /dev/net/tun (IFF_TAP | IFF_NO_PI): each read returns one Ethernet
// frame that Linux sent out of the interface, each write injects one frame into Linux. The device
// disappears when the descriptor is closed (it is not made persistent).
using System.Runtime.InteropServices;

namespace Biscuit.Net.Tests.Harness;

internal sealed unsafe class TapDevice : IDisposable
{
    public string Name { get; }
    int fd;

    public TapDevice(string name)
    {
        if (name.Length > 15) throw new ArgumentException("interface names have at most 15 characters", nameof(name));
        Name = name;
        fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd < 0) throw new IOException($"open /dev/net/tun failed: errno {Marshal.GetLastPInvokeError()}");
        byte* ifreq = stackalloc byte[40];
        new Span<byte>(ifreq, 40).Clear();
        for (int i = 0; i < name.Length; i++) ifreq[i] = (byte)name[i];
        *(short*)(ifreq + 16) = Libc.IFF_TAP | Libc.IFF_NO_PI;
        if (Libc.ioctl(fd, Libc.TUNSETIFF, ifreq) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.close(fd);
            fd = -1;
            throw new IOException($"TUNSETIFF {name} failed: errno {errno}");
        }
    }

    /// <summary>Waits up to timeoutMs for a frame to be readable.</summary>
    public bool WaitReadable(int timeoutMs)
    {
        var p = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        int r = Libc.poll(&p, 1, timeoutMs);
        return r > 0 && (p.Revents & Libc.POLLIN) != 0;
    }

    /// <summary>Reads one frame; returns 0 when none is waiting.</summary>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            nint n = Libc.read(fd, b, (nuint)buffer.Length);
            if (n >= 0) return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EAGAIN || errno == Libc.EINTR) return 0;
            throw new IOException($"read from TAP failed: errno {errno}");
        }
    }

    public void Write(ReadOnlySpan<byte> frame)
    {
        fixed (byte* b = frame)
        {
            // A full queue (EAGAIN/ENOBUFS) loses the frame, as a real wire would; TCP recovers.
            Libc.write(fd, b, (nuint)frame.Length);
        }
    }

    public void Dispose()
    {
        if (fd >= 0) { Libc.close(fd); fd = -1; }
    }
}
