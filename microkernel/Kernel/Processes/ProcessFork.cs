// fork for applications (issue 7; Syscalls.md `process_fork`): posix, serving a forwarded
// clone/fork/vfork of thread T of process P, asks the kernel for a copy of P:
//   - a new process (P's name, priority ceiling and memory budget) whose user address space is a
//     copy of P's (Memory/AddressSpaceCopy.cs: owned pages copied, untouched ones still lazy,
//     MAP_SHARED|MAP_ANONYMOUS pages shared, grants received not inherited);
//   - P's address map (what mmap handed out), signal actions and program break; an empty handle
//     table and the fresh kernel fd table (an application's files are posix's);
//   - the personality endpoint posix gives (badged for the child);
//   - one thread, Suspended until process_start, with T's user registers as saved at the
//     forwarded system call, RAX = 0 (fork's return in the child), RSP = the new stack if one is
//     given, T's FS base, x87/SSE state, signal mask and priority; no pending signals (fork(2)).
//   - CLONE_CHILD_SETTID: the child's Linux tid (u32) is written at child_tid in the child's memory
//     by process_start (Linux/ThreadIdCalls.cs), once posix has set the child's pid — its main
//     thread's tid; here the word is only written with 0, so that a bad address fails the fork;
//     CLONE_CHILD_CLEARTID makes the thread clear it and wake a futex waiter when it exits.
// All or nothing: any failure gives back every frame and pool slot taken, and P is untouched
// (except that its untouched Shared pages may have received their frames).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Linux;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Processes
{
    public static unsafe class ProcessFork
    {
        public const ulong CloneChildClearTid = 0x0020_0000, CloneChildSetTid = 0x0100_0000;
        public const ulong KnownFlags = CloneChildClearTid | CloneChildSetTid;

        // The thread of `p` with Linux tid `threadId` (the forwarded call's thread_id) that waits in a
        // forwarded call (its saved registers are a system call's), or null.
        public static Thread* ForwardingThread(Process* p, ulong threadId)
        {
            Thread* t = ThreadIdCalls.Find(p, threadId);
            return t != null && Forwarding.IsWaiting(t) ? t : null;
        }

        // Arguments are checked by the caller (ApplicationCalls.Fork). Returns the child's kernel thread id
        // (> 0) with the child in `made`, or -ENOMEM / -EFAULT with nothing left behind.
        public static long Fork(Process* parent, Thread* source, Endpoint* personality, ulong badge,
            ulong stack, ulong flags, ulong childTid, out Process* made)
        {
            made = null;
            int nameLength = 0;
            while (nameLength < Process.NameBytes && parent->Name[nameLength] != 0) nameLength++;
            Process* child;
            long error = ProcessControl.CreateEmpty(parent->Name, nameLength, parent->MaxPriority, out child);
            if (error != 0) return error;
            child->MemoryBudget = parent->MemoryBudget;
            *child->Map = *parent->Map;
            child->Linux->InheritFrom(parent->Linux);
            error = AddressSpaceCopy.Copy(parent, child);
            if (error != 0)
            {
                ProcessControl.Discard(child);
                return error;
            }

            InterruptFrame* from = source->Frame;
            Thread* t;
            long id = ThreadControl.CreateSuspended(child, from->Rip, from->Rsp, 0, source->Priority, out t);
            if (id < 0)
            {
                ProcessControl.Discard(child);
                return id;
            }
            InterruptFrame* to = t->Frame;
            *to = *from;
            to->Rax = 0;
            if (stack != 0) to->Rsp = stack;
            Internal.Runtime.Memory.Move(t->FpuArea, source->FpuArea, Thread.FpuAreaBytes);
            t->FsBase = source->FsBase;
            t->SignalMask = source->SignalMask;
            if ((flags & CloneChildSetTid) != 0)
            {
                uint placeholder = 0;   // the tid comes at process_start; this makes the page the child's own
                if (UserMemory.CopyOut(child, childTid, (byte*)&placeholder, 4) != 0)
                {
                    ThreadControl.Destroy(t);
                    ProcessControl.Discard(child);
                    return -Errno.EFAULT;
                }
                t->ChildTidAtStart = childTid;
            }
            if ((flags & CloneChildClearTid) != 0) t->ClearChildTid = childTid;

            KernelObjects.Retain(Capabilities.CapabilityType.Endpoint, personality);
            child->Personality = personality;
            child->PersonalityBadge = badge;
            made = child;
            return id;
        }
    }
}
