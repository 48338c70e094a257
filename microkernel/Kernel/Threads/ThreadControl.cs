// Making and destroying threads. A thread takes three pool slots — its control block, its kernel
// stack, its IPC buffer — and maps the IPC buffer into its process; any pool being empty makes
// creation fail with ENOMEM and give back what it took. Destruction undoes all of it and settles
// the thread's IPC: a caller waiting for this thread's reply gets EOWNERDEAD at once.
// The running thread cannot free its own kernel stack (the kernel is executing on it), so that
// release is deferred to the next kernel entry, which runs on another stack.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Threads
{
    public static unsafe class ThreadControl
    {
        public const ulong IpcBufferRegion = 0x0000_7F00_0000_0000;

        private static ulong s_nextId = 1;
        private static Thread* s_deferred;          // a dead thread whose stack is still in use
        private struct FpuTemplate { public fixed byte Bytes[512 + 16]; }
        private static FpuTemplate s_fpuTemplate;   // a clean x87/SSE state, captured at boot

        public static void CaptureCleanFpuState()
        {
            Cpu.InitializeFpu();
            fixed (byte* b = s_fpuTemplate.Bytes) Cpu.SaveFpu((byte*)(((ulong)b + 15) & ~15UL));
        }

        public static long Create(Process* p, ulong entry, ulong userStack, ulong argument, byte priority, out Thread* created)
        {
            long id = CreateSuspended(p, entry, userStack, argument, priority, out created);
            if (id > 0) Scheduler.MakeReady(created);
            return id;
        }

        // As Create, but the thread is left Suspended (on no queue) until Resume: how process_fork
        // prepares a child's thread for process_start. Destroy frees it like any other.
        public static long CreateSuspended(Process* p, ulong entry, ulong userStack, ulong argument, byte priority, out Thread* created)
        {
            created = null;
            Thread* t = (Thread*)BootMemory.Pool(PoolKind.Threads)->Take();
            byte* stack = BootMemory.Pool(PoolKind.KernelStacks)->Take();
            byte* ipc = BootMemory.Pool(PoolKind.IpcBuffers)->Take();
            if (t == null || stack == null || ipc == null)
            {
                if (t != null) BootMemory.Pool(PoolKind.Threads)->Give((byte*)t);
                if (stack != null) BootMemory.Pool(PoolKind.KernelStacks)->Give(stack);
                if (ipc != null) BootMemory.Pool(PoolKind.IpcBuffers)->Give(ipc);
                return -Errno.ENOMEM;
            }
            ulong ipcPhysical = (ulong)ipc - KernelImage.PhysicalWindowBase;
            ulong ipcUser = IpcBufferRegion + p->NextIpcBuffer * 4096;
            if (p->Space.Map(ipcUser, ipcPhysical, PageFlags.User | PageFlags.Writable | PageFlags.NoExecute) != MapResult.Ok)
            {
                BootMemory.Pool(PoolKind.Threads)->Give((byte*)t);
                BootMemory.Pool(PoolKind.KernelStacks)->Give(stack);
                BootMemory.Pool(PoolKind.IpcBuffers)->Give(ipc);
                return -Errno.ENOMEM;
            }
            p->NextIpcBuffer++;

            t->Id = s_nextId++;
            t->FaultVector = -1;
            t->Process = p;
            t->Priority = priority > p->MaxPriority ? p->MaxPriority : priority;
            t->KernelStack = stack;
            t->KernelStackTop = (ulong)stack + PoolPlan.KernelStackBytes;
            t->IpcBuffer = ipc;
            t->IpcBufferPhysical = ipcPhysical;
            t->IpcBufferUser = ipcUser;
            fixed (byte* template = s_fpuTemplate.Bytes)
                Internal.Runtime.Memory.Move(t->FpuArea, (byte*)(((ulong)template + 15) & ~15UL), 512);

            InterruptFrame* f = t->Frame;
            *f = default;
            f->Rip = entry;
            f->Cs = Gdt.UserCode;
            f->Rflags = 0x202;
            f->Rsp = userStack;
            f->Ss = Gdt.UserData;
            f->Rdi = argument;

            t->IsLeader = p->ThreadCount == 0;   // the first thread: Linux numbers it with the pid
            t->ProcessNext = p->Threads;
            p->Threads = t;
            p->ThreadCount++;
            t->State = ThreadState.Suspended;
            created = t;
            return (long)t->Id;
        }

        public static void Resume(Thread* t)
        {
            if (t->State == ThreadState.Suspended) Scheduler.MakeReady(t);
        }

        // Removes a thread from everything it is part of and frees it. Does not touch its
        // process's thread count or list (callers do: Exit unlinks, process death walks the list).
        public static void Destroy(Thread* t)
        {
            if (t->State == ThreadState.Ready) Scheduler.Unready(t);
            if (t->Queue != null) t->Queue->Remove(t);
            Timeouts.Disarm(t);
            if (t->ReplyTo != null)
            {
                Thread* caller = t->ReplyTo;
                t->ReplyTo = null;
                caller->ServedBy = null;
                Blocking.Wake(caller, -Errno.EOWNERDEAD);
            }
            if (t->ServedBy != null)
            {
                if (t->ServedBy->ReplyTo == t)
                {
                    t->ServedBy->ReplyTo = null;
                    t->ServedBy->ReplyAbandoned = true;   // ipc_reply_pending answers 0
                }
                t->ServedBy = null;
            }
            t->State = ThreadState.Dead;
            ulong unmapped;
            if (t->Process->Space.Root != 0 && t->Process->Space.Unmap(t->IpcBufferUser, out unmapped) == MapResult.Ok)
                Cpu.InvalidatePage(t->IpcBufferUser);   // this CPU's TLB; other spaces were flushed by CR3 loads
            BootMemory.Pool(PoolKind.IpcBuffers)->Give(t->IpcBuffer);
            if (t == Scheduler.Current)
            {
                Scheduler.CurrentStops();
                ReleaseDeferred();
                s_deferred = t;
            }
            else Free(t);
        }

        // Called at the start of every kernel entry: frees the stack of a thread that died while
        // running, now that the kernel runs on another one.
        public static void ReleaseDeferred()
        {
            Thread* t = s_deferred;
            if (t == null) return;
            s_deferred = null;
            Free(t);
        }

        private static void Free(Thread* t)
        {
            BootMemory.Pool(PoolKind.KernelStacks)->Give(t->KernelStack);
            BootMemory.Pool(PoolKind.Threads)->Give((byte*)t);
        }

        // The current thread ends (thread_exit); the process ends with it if it was the last.
        public static void Exit(Thread* t, int status)
        {
            Process* p = t->Process;
            if (p->ThreadCount == 1)
            {
                ProcessControl.Exit(p, (status & 0xFF) << 8);
                return;
            }
            Thread** link = &p->Threads;
            while (*link != null && *link != t) link = &(*link)->ProcessNext;
            if (*link == t) *link = t->ProcessNext;
            p->ThreadCount--;
            Destroy(t);
        }
    }
}
