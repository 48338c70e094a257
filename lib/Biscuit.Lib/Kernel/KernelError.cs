// The errors a Biscuit system call can return, as positive errno values (the kernel returns them
// negated in RAX, Linux's convention; values from microkernel/Kernel/Syscalls/Errno.cs, which uses
// Linux's asm-generic/errno-base.h and errno.h numbers). None = success.
// Errors are values, not exceptions: the IPC paths are hot and a timeout is an ordinary outcome.
namespace Biscuit.Lib.Kernel;

public enum KernelError
{
    None = 0,
    NotPermitted = 1,        // EPERM: the handle lacks a right the call needs
    NoSuchEntry = 2,         // ENOENT
    NoSuchProcess = 3,       // ESRCH: e.g. ipc_reply with no caller owed a reply
    Interrupted = 4,         // EINTR
    IoError = 5,             // EIO: used by the client for "the server died and the request is not idempotent"
    ArgumentListTooLong = 7, // E2BIG
    BadExecutable = 8,       // ENOEXEC
    BadHandle = 9,           // EBADF: not a handle of this process, stale, or of the wrong type
    WouldBlock = 11,         // EAGAIN: timeout 0 and nothing ready; process still alive
    OutOfMemory = 12,        // ENOMEM: a kernel pool or physical memory is exhausted
    AccessDenied = 13,       // EACCES
    BadAddress = 14,         // EFAULT
    Busy = 16,               // EBUSY
    Exists = 17,             // EEXIST
    InvalidArgument = 22,    // EINVAL
    TooManyHandles = 24,     // EMFILE: the handle table is full
    NameTooLong = 36,        // ENAMETOOLONG
    NotImplemented = 38,     // ENOSYS: not a Biscuit kernel (e.g. these bindings run on a Linux host)
    MessageTooLong = 90,     // EMSGSIZE: length > 4032
    TimedOut = 110,          // ETIMEDOUT
    Canceled = 125,          // ECANCELED: the server received again without replying to us
    OwnerDead = 130,         // EOWNERDEAD: the server died before replying
}

public static class KernelErrors
{
    /// <summary>Splits a raw system-call result: a negative value is an error, anything else a value.</summary>
    public static KernelError FromResult(long result) => result < 0 ? (KernelError)(int)(-result) : KernelError.None;

    /// <summary>A short name for logs: the errno symbol when there is one ("ETIMEDOUT").</summary>
    public static string Symbol(this KernelError error) => error switch
    {
        KernelError.None => "OK",
        KernelError.NotPermitted => "EPERM",
        KernelError.NoSuchEntry => "ENOENT",
        KernelError.NoSuchProcess => "ESRCH",
        KernelError.Interrupted => "EINTR",
        KernelError.IoError => "EIO",
        KernelError.ArgumentListTooLong => "E2BIG",
        KernelError.BadExecutable => "ENOEXEC",
        KernelError.BadHandle => "EBADF",
        KernelError.WouldBlock => "EAGAIN",
        KernelError.OutOfMemory => "ENOMEM",
        KernelError.AccessDenied => "EACCES",
        KernelError.BadAddress => "EFAULT",
        KernelError.Busy => "EBUSY",
        KernelError.Exists => "EEXIST",
        KernelError.InvalidArgument => "EINVAL",
        KernelError.TooManyHandles => "EMFILE",
        KernelError.NameTooLong => "ENAMETOOLONG",
        KernelError.NotImplemented => "ENOSYS",
        KernelError.MessageTooLong => "EMSGSIZE",
        KernelError.TimedOut => "ETIMEDOUT",
        KernelError.Canceled => "ECANCELED",
        KernelError.OwnerDead => "EOWNERDEAD",
        _ => "errno " + ((int)error).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
