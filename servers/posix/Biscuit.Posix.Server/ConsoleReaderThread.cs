// The thread that owns the kernel's console input for posix: it waits in console_read (0x86B,
// Syscalls.md "Console input") on the Console capability init passed (the manifest's `console`
// option: initial handle 3, after the own, fs and net endpoints) and feeds every byte to the
// console terminal's line discipline, which wakes the applications' readers. Only this thread
// blocks in the kernel for input; applications' reads wait inside posix on their own workers.
// The buffer is pinned: the GC may run while this thread waits in the kernel.
using Biscuit.Lib.Kernel;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public static class ConsoleReaderThread
{
    private const int ChunkBytes = 256;

    /// <summary>Starts the reader if `console` is a Console capability: 0, or the negated errno why not.</summary>
    public static unsafe long Start(Handle console, ConsoleTerminal terminal)
    {
        var info = console.Info();
        if (!info.IsOk) return -(long)info.Error;
        if (info.Value.Type != CapabilityType.Console) return -(long)KernelError.BadHandle;
        byte[] buffer = GC.AllocateArray<byte>(ChunkBytes, pinned: true);
        new Thread(() =>
        {
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    long n = Syscalls.Invoke(SyscallNumbers.ConsoleRead, console.Value, (long)p, ChunkBytes, unchecked((long)Syscalls.Forever));
                    if (n > 0) terminal.Receive(buffer.AsSpan(0, (int)n));
                    else if (n < 0 && n != -(long)KernelError.TimedOut)
                    {
                        Console.Error.WriteLine($"posix: console input stopped (errno {-n}); reads of /dev/console end");
                        terminal.EndInput();
                        return;
                    }
                }
            }
        }) { IsBackground = true, Name = "console reader" }.Start();
        return 0;
    }
}
