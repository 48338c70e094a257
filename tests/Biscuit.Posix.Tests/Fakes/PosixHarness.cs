// A posix personality over the fakes, with one application process whose memory has a 1 MiB scratch
// area: tests put arguments there (Put/Alloc), make forwarded calls (Call) and read results (Get).
using System.Buffers.Binary;
using System.Text;

namespace Biscuit.Posix.Tests;

public sealed class PosixHarness : IDisposable
{
    public const ulong Scratch = 0x1000_0000, ScratchSize = 1 << 20;
    public const ulong Unmapped = 0xdead_0000;

    public readonly FakeProcessKernel Kernel = new();
    public readonly Ext2Volume Fs;
    public readonly LoopbackNetwork Net = new();
    public readonly FakeSystem System = new();
    public readonly Personality Posix;
    public readonly PosixProcess Process;
    private ulong next = Scratch;

    public readonly FakeSharedPages SharedPages;

    /// <summary>`sharedPages`: give posix pages to share (MAP_SHARED file mappings); without, MAP_SHARED is ENODEV.</summary>
    public PosixHarness(string? staging = null, int sizeKiB = 8192, bool sharedPages = false)
    {
        Fs = new Ext2Volume(sizeKiB, staging);
        SharedPages = new FakeSharedPages(Kernel);
        Posix = new Personality(Kernel, Fs, Net, System, sharedPages ? SharedPages : null);
        Process = NewProcess();
    }

    public PosixProcess NewProcess()
    {
        Kernel.Create("app", out var kp);
        Assert.Equal((long)Scratch, Kernel.Map(kp, Scratch, ScratchSize, 3, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED));
        var p = new PosixProcess(Posix.Processes.NextPid(), 0, kp, new FdTable(), Kernel);
        Posix.Processes.Add(p);
        return p;
    }

    public long Call(int number, params ulong[] args) => CallAs(Process, number, args);

    public long CallAs(PosixProcess p, int number, params ulong[] args) =>
        Posix.Handle((ulong)p.Pid, number, args, 1, NeverCancelled.Instance);

    public ulong Alloc(int bytes)
    {
        ulong at = next;
        next += (ulong)((bytes + 15) & ~15);
        Assert.True(next <= Scratch + ScratchSize, "scratch area exhausted");
        return at;
    }

    public ulong Put(string s) => Put(Encoding.UTF8.GetBytes(s + "\0"));

    public ulong Put(byte[] bytes)
    {
        ulong at = Alloc(bytes.Length);
        Assert.Equal(bytes.Length, Kernel.Write(Process.Kernel, at, bytes));
        return at;
    }

    public byte[] Get(ulong address, int length) => Kernel.ReadBytes(Process.Kernel, address, length);
    public string GetString(ulong address, int length) => Encoding.UTF8.GetString(Get(address, length));
    public int GetInt(ulong address) => BinaryPrimitives.ReadInt32LittleEndian(Get(address, 4));
    public ulong GetU64(ulong address) => BinaryPrimitives.ReadUInt64LittleEndian(Get(address, 8));

    public static ulong U(long value) => unchecked((ulong)value);

    /// <summary>openat(AT_FDCWD, path, flags, mode): the descriptor (asserted non-negative).</summary>
    public int Open(string path, int flags, uint mode = 0x1A4)
    {
        long fd = Call(LinuxCall.Openat, U(At.FDCWD), Put(path), (ulong)flags, mode);
        Assert.True(fd >= 0, $"open {path} failed: {fd}");
        return (int)fd;
    }

    public long Write(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Call(LinuxCall.Write, (ulong)fd, Put(bytes), (ulong)bytes.Length);
    }

    public string Read(int fd, int count)
    {
        ulong buffer = Alloc(count);
        long n = Call(LinuxCall.Read, (ulong)fd, buffer, (ulong)count);
        Assert.True(n >= 0, $"read failed: {n}");
        return GetString(buffer, (int)n);
    }

    public void Dispose() => Fs.Dispose();
}
