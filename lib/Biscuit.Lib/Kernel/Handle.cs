// A capability handle of this process (Syscalls.md "Handles and rights"): generation << 12 | slot.
// A plain value, like a file descriptor: copying it does not duplicate the capability; Close ends
// this name for it, Duplicate makes another (possibly with fewer rights or a badge).
namespace Biscuit.Lib.Kernel;

public readonly record struct Handle(uint Value)
{
    /// <summary>The zero handle names nothing (the kernel answers EBADF).</summary>
    public static readonly Handle None = new(0);

    public bool IsNone => Value == 0;

    /// <summary>Slot i of a new process's handle table: the i-th handle its spawner passed.</summary>
    public static Handle Initial(int slot) => new((1u << 12) | (uint)slot);

    public KernelError Close() => KernelErrors.FromResult(Syscalls.Invoke(SyscallNumbers.HandleClose, Value));

    /// <summary>handle_dup: a new handle with `rights` (a subset of this one's); a non-zero badge is
    /// allowed once, on an unbadged endpoint handle (the receiver then sees it as the message's badge).</summary>
    public KernelResult<Handle> Duplicate(Rights rights, ulong badge = 0)
    {
        long r = Syscalls.Invoke(SyscallNumbers.HandleDup, Value, (long)rights, (long)badge);
        return r < 0 ? KernelResult<Handle>.Fail(KernelErrors.FromResult(r)) : KernelResult<Handle>.Ok(new Handle((uint)r));
    }

    /// <summary>handle_info: the capability's type and rights.</summary>
    public KernelResult<(CapabilityType Type, Rights Rights)> Info()
    {
        long r = Syscalls.Invoke(SyscallNumbers.HandleInfo, Value);
        if (r < 0) return KernelResult<(CapabilityType, Rights)>.Fail(KernelErrors.FromResult(r));
        return KernelResult<(CapabilityType, Rights)>.Ok(((CapabilityType)(r & 0xFF), (Rights)((ulong)r >> 8)));
    }

    public override string ToString() => $"handle {Value >> 12}:{Value & 0xFFF}";
}
