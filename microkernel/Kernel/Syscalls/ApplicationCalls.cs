// The calls a personality server (posix) uses to build and serve an application process
// (Syscalls.md "Application processes", issue 7): process_create, process_set_personality,
// process_read, process_write, process_mmap, process_mprotect, process_start, ipc_reply_pending,
// process_fork, process_set_pid, process_signal.
// Each needs a process handle with Control (EBADF: not a process handle; EPERM: no Control);
// a dead target is ESRCH. Memory work reuses the calling-process code (MemoryMapCalls,
// UserMemory, DemandPaging) on the target's Process*, so both follow the same rules.
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Linux;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class ApplicationCalls
    {
        private const ulong MapAnonymous = 0x20;

        private static long Target(Thread* t, ulong process, out Process* p)
        {
            p = null;
            Capability* c;
            long error = HandleCalls.Lookup(t, process, CapabilityType.Process, Rights.Control, out c);
            if (error != 0) return error;
            p = (Process*)c->Object;
            return p->State == ProcessState.Alive ? 0 : -Errno.ESRCH;
        }

        // process_create(name, name_len, handles, count): an empty process with no thread.
        public static long Create(Thread* t, ulong name, ulong nameLength, ulong handles, ulong handleCount)
        {
            Process* parent = t->Process;
            if (nameLength == 0 || nameLength > Process.NameBytes) return -Errno.ENAMETOOLONG;
            if (handleCount > ProcessCalls.MaxInitialHandles) return -Errno.EINVAL;
            byte* nameBuffer = stackalloc byte[Process.NameBytes];
            uint* handleBuffer = stackalloc uint[ProcessCalls.MaxInitialHandles];
            if (UserMemory.CopyIn(parent, nameBuffer, name, nameLength) != 0) return -Errno.EFAULT;
            long error = ProcessCalls.FetchInitialHandles(parent, handles, handleCount, handleBuffer);
            if (error != 0) return error;
            Process* child;
            error = ProcessControl.CreateEmpty(nameBuffer, (int)nameLength, parent->MaxPriority, out child);
            if (error != 0) return error;
            ProcessCalls.GiveInitialHandles(parent, child, handleBuffer, handleCount);
            uint handle = parent->HandleTable->Insert(CapabilityType.Process, Rights.Control | Rights.Transfer | Rights.Duplicate, child, 0);
            if (handle == 0)
            {
                ProcessControl.Exit(child, 9);   // nobody can name it
                return -Errno.EMFILE;
            }
            child->Handles++;
            return handle;
        }

        // process_set_personality(process, endpoint): its non-core Linux calls go to `endpoint`.
        public static long SetPersonality(Thread* t, ulong process, ulong endpoint)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            Capability* c;
            error = HandleCalls.Lookup(t, endpoint, CapabilityType.Endpoint, Rights.Send, out c);
            if (error != 0) return error;
            Endpoint* old = p->Personality;
            KernelObjects.Retain(CapabilityType.Endpoint, c->Object);
            p->Personality = (Endpoint*)c->Object;
            p->PersonalityBadge = c->Badge;
            if (old != null) KernelObjects.Release(CapabilityType.Endpoint, old);
            return 0;
        }

        // process_set_pid(process, pid): the pid the personality numbers the process with; getpid
        // answers it, tgkill and kill accept it, and it is its first thread's Linux tid (gettid;
        // Linux/LinuxThreadIds.cs) — an application's pid stays the same across execve, which makes
        // a new kernel process. 1..2^31-1.
        public static long SetPid(Thread* t, ulong process, ulong pid)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            if (pid == 0 || pid > int.MaxValue) return -Errno.EINVAL;
            p->LinuxPid = pid;
            return 0;
        }

        // process_signal(process, signal, code, sender_pid, status, flags): a process-directed signal,
        // as kill(2) or a child's death (SIGCHLD, code CLD_*) makes it; `code`, `sender_pid` and
        // `status` become si_code, si_pid and si_status. Signal 0 only checks the target. Flag
        // KeepForwardedCalls: a forwarded call in progress is not cancelled (the signal is delivered
        // when it returns) — posix's SIGCHLD to a parent already waiting in wait4 for that child.
        public const ulong KeepForwardedCalls = 1;

        public static long Signal(Thread* t, ulong process, ulong signal, ulong code, ulong senderPid, ulong status, ulong flags)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            if (signal > LinuxState.Signals || senderPid > int.MaxValue || (flags & ~KeepForwardedCalls) != 0) return -Errno.EINVAL;
            if (signal != 0)
                SignalCalls.PostToProcess(p, (int)signal, (int)code, senderPid, (int)status, served: t->ReplyTo,
                    keepForwardedCalls: (flags & KeepForwardedCalls) != 0);
            return 0;
        }

        // process_read / process_write(process, remote, local, length): bytes copied, or EFAULT.
        public static long Transfer(Thread* t, ulong process, ulong remote, ulong local, ulong length, bool intoTarget)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            return ProcessMemory.Copy(t->Process, local, p, remote, length, intoTarget);
        }

        // process_mmap(process, address, length, prot, flags): always an anonymous mapping (the
        // personality fills file mappings itself with process_write).
        public static long Mmap(Thread* t, ulong process, ulong address, ulong length, ulong prot, ulong flags)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            return MemoryMapCalls.Mmap(p, address, length, prot, flags | MapAnonymous);
        }

        public static long Mprotect(Thread* t, ulong process, ulong address, ulong length, ulong prot)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            return MemoryMapCalls.Mprotect(p, address, length, prot);
        }

        // process_start(process, entry, stack_pointer, brk_base): the first thread, every general
        // register 0 but RIP and RSP (System V AMD64 ABI §3.4.1: RDX = 0, no exit handler). For a
        // child of process_fork it runs the thread fork prepared, after writing its CLONE_CHILD_SETTID
        // word; entry, stack and brk must be 0. Returns the thread's Linux tid (the pid, once
        // process_set_pid is done: what posix writes for CLONE_PARENT_SETTID).
        public static long Start(Thread* t, ulong process, ulong entry, ulong stackPointer, ulong brkBase)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            if (p->Started) return -Errno.EBUSY;
            if (p->Threads != null)
            {
                if ((entry | stackPointer | brkBase) != 0) return -Errno.EINVAL;
                error = ThreadIdCalls.WriteForkedChildTid(p->Threads);
                if (error != 0) return error;
                p->Started = true;
                ThreadControl.Resume(p->Threads);
                return (long)ThreadIdCalls.TidOf(p->Threads);
            }
            if (entry == 0 || entry >= UserMemory.UserTop || stackPointer >= UserMemory.UserTop) return -Errno.EFAULT;
            if ((brkBase & 4095) != 0 || brkBase >= MemoryMapCalls.MmapTop) return -Errno.EINVAL;
            p->Linux->BreakStart = p->Linux->BreakEnd = brkBase;
            Thread* first;
            error = ThreadControl.Create(p, entry, stackPointer, 0, Scheduler.ApplicationPriority, out first);
            if (error < 0) return error;
            p->Started = true;
            return (long)ThreadIdCalls.TidOf(first);
        }

        // process_fork(process, thread_id, personality, stack, flags, child_tid): a copy of the
        // process for its thread `thread_id`, which waits in a forwarded clone/fork/vfork
        // (Processes/ProcessFork.cs). Returns the child's handle (Control, Transfer, Duplicate); the
        // child runs once process_start(child, 0, 0, 0) is called.
        public static long Fork(Thread* t, ulong process, ulong threadId, ulong personality, ulong stack, ulong flags, ulong childTid)
        {
            Process* p;
            long error = Target(t, process, out p);
            if (error != 0) return error;
            Thread* source = ProcessFork.ForwardingThread(p, threadId);
            if (source == null) return -Errno.ESRCH;
            Capability* endpoint;
            error = HandleCalls.Lookup(t, personality, CapabilityType.Endpoint, Rights.Send, out endpoint);
            if (error != 0) return error;
            if ((flags & ~ProcessFork.KnownFlags) != 0 || stack >= UserMemory.UserTop) return -Errno.EINVAL;
            if ((flags & ProcessFork.KnownFlags) != 0 && (childTid == 0 || !UserMemory.RangeIsUser(childTid, 4))) return -Errno.EFAULT;
            Process* child;
            error = ProcessFork.Fork(p, source, (Endpoint*)endpoint->Object, endpoint->Badge, stack, flags, childTid, out child);
            if (error < 0) return error;
            uint handle = t->Process->HandleTable->Insert(CapabilityType.Process, Rights.Control | Rights.Transfer | Rights.Duplicate, child, 0);
            if (handle == 0)
            {
                ProcessControl.Exit(child, 9);   // nobody can name it
                return -Errno.EMFILE;
            }
            child->Handles++;
            return handle;
        }

        // ipc_reply_pending: 1 while the caller of the last call received still waits, 0 if it gave
        // up (signal, death, timeout), ESRCH if no call was received since the last reply.
        public static long ReplyPending(Thread* t)
        {
            if (t->ReplyTo != null) return 1;
            return t->ReplyAbandoned ? 0 : -Errno.ESRCH;
        }
    }
}
