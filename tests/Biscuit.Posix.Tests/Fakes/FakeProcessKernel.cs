// A kernel as posix sees it, in memory: processes with sparse page-granular memory, the mappings
// and protections asked for (recorded in order), the start registers, personality badges, and deaths
// (Kill runs the watchers). Read/Write outside a mapping answer -EFAULT, as process_read does.
namespace Biscuit.Posix.Tests;

public sealed class FakeProcessKernel : IProcessKernel
{
    public sealed class Process
    {
        public string Name = "";
        public readonly SortedDictionary<ulong, byte[]> Pages = [];
        public readonly Dictionary<ulong, int> PageProtection = [];
        public readonly List<(ulong Address, ulong Length, int Prot, int Flags)> Maps = [];
        public readonly List<(ulong Address, ulong Length, int Prot)> Protects = [];
        public ulong Badge;
        public KernelProcess? ForkedFrom;
        public ulong ForkThread;
        public (ulong Entry, ulong Stack, ulong Brk)? Started;
        public bool Killed, Released;
        public int Pid;                                                      // process_set_pid
        public readonly List<(int Signal, int Code, int Sender, int Status)> Signals = [];   // process_signal, in order
        public readonly List<bool> SignalsKeepingCalls = [];                                // their keepForwardedCalls
        public readonly List<Action<int>> Watchers = [];
    }

    private readonly object gate = new();
    public readonly Dictionary<uint, Process> Processes = [];
    private uint nextHandle = 0x1000;
    private ulong nextHint = 0x7f00_0000_0000;
    public int FailCreateWith;   // a negative errno to answer process_create with

    public Process Of(KernelProcess p) { lock (gate) return Processes[p.Handle]; }

    public long Create(string name, out KernelProcess process)
    {
        lock (gate)
        {
            process = default;
            if (FailCreateWith < 0) return FailCreateWith;
            process = new KernelProcess(++nextHandle);
            Processes[process.Handle] = new Process { Name = name };
            return process.Handle;
        }
    }

    public long SetPersonality(KernelProcess process, ulong badge) { Of(process).Badge = badge; return 0; }

    public long Read(KernelProcess process, ulong remote, Span<byte> into)
    {
        var p = Of(process);
        lock (gate)
        {
            for (int i = 0; i < into.Length;)
            {
                ulong at = remote + (ulong)i, page = at & ~4095UL;
                if (!p.Pages.TryGetValue(page, out var bytes)) return -Errno.EFAULT;
                int offset = (int)(at - page), n = Math.Min(4096 - offset, into.Length - i);
                bytes.AsSpan(offset, n).CopyTo(into[i..]);
                i += n;
            }
            return into.Length;
        }
    }

    public long Write(KernelProcess process, ulong remote, ReadOnlySpan<byte> from)
    {
        var p = Of(process);
        lock (gate)
        {
            for (ulong page = remote & ~4095UL; page < remote + (ulong)from.Length; page += 4096)
                if (!p.Pages.ContainsKey(page)) return -Errno.EFAULT;
            for (int i = 0; i < from.Length;)
            {
                ulong at = remote + (ulong)i, page = at & ~4095UL;
                int offset = (int)(at - page), n = Math.Min(4096 - offset, from.Length - i);
                from.Slice(i, n).CopyTo(p.Pages[page].AsSpan(offset));
                i += n;
            }
            return from.Length;
        }
    }

    public long Map(KernelProcess process, ulong address, ulong length, int prot, int flags)
    {
        var p = Of(process);
        lock (gate)
        {
            if (length == 0 || address % 4096 != 0) return -Errno.EINVAL;
            if ((flags & Mman.MAP_ANONYMOUS) == 0) return -Errno.EINVAL;
            if ((flags & Mman.MAP_FIXED) == 0)
            {
                address = nextHint;
                nextHint += Mman.PageUp(length) + 0x10000;
            }
            p.Maps.Add((address, length, prot, flags));
            for (ulong page = address; page < address + Mman.PageUp(length); page += 4096)
            {
                p.Pages[page] = new byte[4096];
                p.PageProtection[page] = prot;
            }
            return (long)address;
        }
    }

    public long Protect(KernelProcess process, ulong address, ulong length, int prot)
    {
        var p = Of(process);
        lock (gate)
        {
            if (address % 4096 != 0) return -Errno.EINVAL;
            for (ulong page = address; page < address + Mman.PageUp(length); page += 4096)
            {
                if (!p.Pages.ContainsKey(page)) return -Errno.ENOMEM;
                p.PageProtection[page] = prot;
            }
            p.Protects.Add((address, length, prot));
            return 0;
        }
    }

    public long Start(KernelProcess process, ulong entry, ulong stackPointer, ulong brkBase)
    {
        var p = Of(process);
        if (p.Started is not null) return -Errno.EBUSY;
        p.Started = (entry, stackPointer, brkBase);
        return 1;
    }

    public int FailForkWith;   // a negative errno to answer process_fork with

    public long Fork(KernelProcess parent, ulong threadId, ulong badge, ulong stack, ulong flags, ulong childTid, out KernelProcess child)
    {
        child = default;
        if (FailForkWith < 0) return FailForkWith;
        var p = Of(parent);
        lock (gate)
        {
            child = new KernelProcess(++nextHandle);
            var copy = new Process { Name = p.Name, Badge = badge, ForkedFrom = parent, ForkThread = threadId };
            foreach (var (page, bytes) in p.Pages) copy.Pages[page] = (byte[])bytes.Clone();
            Processes[child.Handle] = copy;
            return child.Handle;
        }
    }

    public long StartForked(KernelProcess child)
    {
        var p = Of(child);
        if (p.Started is not null) return -Errno.EBUSY;
        p.Started = (0, 0, 0);
        return 500 + child.Handle;   // the child's thread id
    }

    public long SetPid(KernelProcess process, int pid) { Of(process).Pid = pid; return 0; }

    public long Signal(KernelProcess process, int signal, int code, int senderPid, int status, bool keepForwardedCalls = false)
    {
        var p = Of(process);
        lock (gate)
        {
            if (p.Killed) return -Errno.ESRCH;
            if (signal != 0) p.Signals.Add((signal, code, senderPid, status));
            if (signal != 0) p.SignalsKeepingCalls.Add(keepForwardedCalls);
            return 0;
        }
    }

    public long Kill(KernelProcess process) => End(process, 9);

    /// <summary>The process ends with `waitStatus` (exit code &lt;&lt; 8, or a signal number): its watchers run.</summary>
    public long End(KernelProcess process, int waitStatus)
    {
        var p = Of(process);
        Action<int>[] watchers;
        lock (gate)
        {
            if (p.Killed) return 0;
            p.Killed = true;
            watchers = p.Watchers.ToArray();
        }
        foreach (var w in watchers) w(waitStatus);
        return 0;
    }

    public long Watch(KernelProcess process, Action<int> onExit)
    {
        var p = Of(process);
        lock (gate) p.Watchers.Add(onExit);
        return 0;
    }

    public void Release(KernelProcess process) => Of(process).Released = true;

    public byte[] ReadBytes(KernelProcess process, ulong address, int length)
    {
        var bytes = new byte[length];
        Assert.Equal(length, Read(process, address, bytes));
        return bytes;
    }
}
