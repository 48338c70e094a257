// A notification: an asynchronous set of 63 bits (bit 63 is reserved) that signals OR in and a wait
// takes out (Syscalls.md "IPC"). Interrupts and process deaths arrive this way.
namespace Biscuit.Lib.Kernel;

public readonly record struct Notification(Handle Handle)
{
    /// <summary>The bits a signal may set: 0..62.</summary>
    public const ulong UsableBits = (1UL << 63) - 1;

    public static KernelResult<Notification> Create()
    {
        long r = Syscalls.Invoke(SyscallNumbers.NotificationCreate);
        return r < 0 ? KernelResult<Notification>.Fail(KernelErrors.FromResult(r)) : KernelResult<Notification>.Ok(new Notification(new Handle((uint)r)));
    }

    /// <summary>notify_signal: ORs `bits` in (EINVAL for 0 or bit 63).</summary>
    public KernelError Signal(ulong bits) => KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.NotifySignal, Handle.Value, (long)bits));

    /// <summary>notify_wait: the bits that were set, cleared by the wait; 0 with timeout 0 and nothing set.</summary>
    public KernelResult<ulong> Wait(ulong timeoutMs)
    {
        long r = Syscalls.Invoke(SyscallNumbers.NotifyWait, Handle.Value, (long)timeoutMs);
        return r < 0 ? KernelResult<ulong>.Fail(KernelErrors.FromResult(r)) : KernelResult<ulong>.Ok((ulong)r);
    }

    /// <summary>notify_poll: the bits that were set (cleared), or 0; never blocks.</summary>
    public KernelResult<ulong> Poll()
    {
        long r = Syscalls.Invoke(SyscallNumbers.NotifyPoll, Handle.Value);
        return r < 0 ? KernelResult<ulong>.Fail(KernelErrors.FromResult(r)) : KernelResult<ulong>.Ok((ulong)r);
    }

    /// <summary>Another handle to the same notification with `rights` (e.g. Signal only, to give away).</summary>
    public KernelResult<Notification> Duplicate(Rights rights)
    {
        var d = Handle.Duplicate(rights);
        return d.IsOk ? KernelResult<Notification>.Ok(new Notification(d.Value)) : KernelResult<Notification>.Fail(d.Error);
    }

    public KernelError Close() => Handle.Close();
}
