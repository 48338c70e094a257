// IProcessKernel over Biscuit's application-process calls (lib's ApplicationProcess: process_create
// ... process_start, process_kill) and process_watch. A watched process gets one thread that waits on
// its own notification and reports the wait status once (process_status).
// Invariant: every method answers a value or a negative errno, as the kernel does; none throws.
using Biscuit.Lib.Kernel;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public sealed class KernelProcesses(Endpoint personality) : IProcessKernel
{
    /// <summary>process_read/process_write copy at most this much per call (the kernel bounds copies).</summary>
    public const int CopyChunk = 64 * 1024;

    private static ApplicationProcess Of(KernelProcess p) => new(new Handle(p.Handle));
    private static long Fail(KernelError e) => -(long)e;

    public long Create(string name, out KernelProcess process)
    {
        process = default;
        if (name.Length > ApplicationProcess.MaxNameBytes) name = name[..ApplicationProcess.MaxNameBytes];
        var r = ApplicationProcess.Create(name.Length == 0 ? "app" : name, []);
        if (!r.IsOk) return Fail(r.Error);
        process = new KernelProcess(r.Value.Handle.Value);
        return process.Handle;
    }

    /// <summary>A Send-only copy of the personality endpoint badged with the pid is given to the process;
    /// posix's own copy of that badged handle is closed once the kernel holds it.</summary>
    public long SetPersonality(KernelProcess process, ulong badge)
    {
        var badged = personality.Duplicate(Rights.Send, badge);
        if (!badged.IsOk) return Fail(badged.Error);
        var e = Of(process).SetPersonality(badged.Value);
        badged.Value.Close();
        return e == KernelError.None ? 0 : Fail(e);
    }

    public long Read(KernelProcess process, ulong remote, Span<byte> into)
    {
        for (int done = 0; done < into.Length;)
        {
            int n = Math.Min(CopyChunk, into.Length - done);
            var r = Of(process).Read(remote + (ulong)done, into.Slice(done, n));
            if (!r.IsOk) return Fail(r.Error);
            if (r.Value != n) return done + r.Value;
            done += n;
        }
        return into.Length;
    }

    public long Write(KernelProcess process, ulong remote, ReadOnlySpan<byte> from)
    {
        for (int done = 0; done < from.Length;)
        {
            int n = Math.Min(CopyChunk, from.Length - done);
            var r = Of(process).Write(remote + (ulong)done, from.Slice(done, n));
            if (!r.IsOk) return Fail(r.Error);
            if (r.Value != n) return done + r.Value;
            done += n;
        }
        return from.Length;
    }

    public long Map(KernelProcess process, ulong address, ulong length, int prot, int flags)
    {
        var r = Of(process).Map(address, length, prot, flags);
        return r.IsOk ? (long)r.Value : Fail(r.Error);
    }

    public long Protect(KernelProcess process, ulong address, ulong length, int prot)
    {
        var e = Of(process).Protect(address, length, prot);
        return e == KernelError.None ? 0 : Fail(e);
    }

    public long Start(KernelProcess process, ulong entry, ulong stackPointer, ulong brkBase)
    {
        var r = Of(process).Start(entry, stackPointer, brkBase);
        return r.IsOk ? r.Value : Fail(r.Error);
    }

    public long Fork(KernelProcess parent, ulong threadId, ulong badge, ulong stack, ulong flags, ulong childTid, out KernelProcess child)
    {
        child = default;
        var badged = personality.Duplicate(Rights.Send, badge);
        if (!badged.IsOk) return Fail(badged.Error);
        var r = Of(parent).Fork(threadId, badged.Value, stack, flags, childTid);
        badged.Value.Close();   // the child holds its own copy
        if (!r.IsOk) return Fail(r.Error);
        child = new KernelProcess(r.Value.Handle.Value);
        return child.Handle;
    }

    public long StartForked(KernelProcess child)
    {
        var r = Of(child).StartForked();
        return r.IsOk ? r.Value : Fail(r.Error);
    }

    public long SetPid(KernelProcess process, int pid)
    {
        var e = Of(process).SetPid(pid);
        return e == KernelError.None ? 0 : Fail(e);
    }

    public long Signal(KernelProcess process, int signal, int code, int senderPid, int status, bool keepForwardedCalls = false)
    {
        var e = Of(process).Signal(signal, code, senderPid, status, keepForwardedCalls);
        return e == KernelError.None ? 0 : Fail(e);
    }

    public long Kill(KernelProcess process)
    {
        var e = Of(process).Kill();
        return e == KernelError.None ? 0 : Fail(e);
    }

    public long Watch(KernelProcess process, Action<int> onExit)
    {
        var created = Notification.Create();
        if (!created.IsOk) return Fail(created.Error);
        var notification = created.Value;
        var e = Of(process).AsProcess.Watch(notification, 1);
        if (e != KernelError.None) { notification.Close(); return Fail(e); }
        var watcher = new Thread(() =>
        {
            while (!notification.Wait(Syscalls.Forever).IsOk) { }
            var status = Of(process).AsProcess.Status();
            notification.Close();
            onExit(status.IsOk ? status.Value : 0);
        }) { IsBackground = true, Name = $"watch {process.Handle:x}" };
        watcher.Start();
        return 0;
    }

    public void Release(KernelProcess process) => Of(process).Close();
}
