// Where every SYSCALL lands (entry.S builds the frame). Numbers below NativeBase are Linux
// x86-64 system calls (Syscalls/LinuxCalls.cs); from NativeBase up are Biscuit's own
// (Syscalls/NativeCalls.cs, documented in Syscalls.md). Arguments come in RDI, RSI, RDX, R10,
// R8, R9 and the result goes back in RAX, negative errno on failure — Linux's convention for both.
// A call that blocks gets its result later, written into its frame by whoever wakes it.
using System.Runtime.InteropServices;
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class SyscallDispatch
    {
        public const ulong NativeBase = 0x800;
        public static ulong Count;   // system calls handled (statistics)

        [UnmanagedCallersOnly(EntryPoint = "SyscallDispatch")]
        private static InterruptFrame* Dispatch(InterruptFrame* frame)
        {
            ThreadControl.ReleaseDeferred();
            Count++;
            Thread* t = Scheduler.Current;
            t->Process->SystemCalls++;
            ulong number = frame->Rax;
            t->SyscallNumber = number;
            long result = number >= NativeBase ? NativeCalls.Handle(t, frame, number) : Linux.LinuxCalls.Handle(t, frame, number);
            if (t->State == ThreadState.Running && Scheduler.Current == t)
                frame->Rax = (ulong)result;
            return Scheduler.Resume();
        }
    }
}
