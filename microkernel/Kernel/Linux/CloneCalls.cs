// clone (threads only), exit, set_tid_address. A new thread shares everything with its creator
// (CLONE_VM|FS|FILES|SIGHAND|THREAD are required: a new process with copied memory is fork(),
// which belongs to `posix` and `mm`), starts with a copy of the creator's registers and x87/SSE
// state but RAX = 0 and RSP = the new stack, and honours SETTLS, PARENT_SETTID, CHILD_SETTID and
// CHILD_CLEARTID (on exit: write 0 there and wake one futex waiter — how pthread_join works).
// The tid returned and written is the new thread's Linux tid (LinuxThreadIds.cs), never the leader's.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class CloneCalls
    {
        private const ulong CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000,
            CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000, CLONE_CHILD_SETTID = 0x1000000;
        private const ulong ThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
        private const ulong Known = ThreadFlags | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID
            | CLONE_DETACHED | CLONE_CHILD_SETTID;

        public static long Clone(Thread* parent, ulong flags, ulong stack, ulong parentTid, ulong childTid, ulong tls)
        {
            if ((flags & ThreadFlags) != ThreadFlags) return -Errno.ENOSYS;   // fork: see the header
            if ((flags & ~Known) != 0 || (flags & 0xFF) != 0) return -Errno.EINVAL;
            if (!UserMemory.RangeIsUser(stack, 0) || ((flags & CLONE_SETTLS) != 0 && tls >= UserMemory.UserTop)) return -Errno.EINVAL;
            InterruptFrame* pf = parent->Frame;
            Thread* child;
            long id = ThreadControl.Create(parent->Process, pf->Rip, stack, 0, parent->Priority, out child);
            if (id < 0) return id;
            InterruptFrame* cf = child->Frame;
            *cf = *pf;
            cf->Rax = 0;
            if (stack != 0) cf->Rsp = stack;
            Internal.Runtime.Memory.Move(child->FpuArea, parent->FpuArea, 512);
            child->FsBase = (flags & CLONE_SETTLS) != 0 ? tls : parent->FsBase;
            child->SignalMask = parent->SignalMask;
            uint tid = (uint)ThreadIdCalls.TidOf(child);
            if ((flags & CLONE_PARENT_SETTID) != 0 && UserMemory.CopyOut(parent->Process, parentTid, (byte*)&tid, 4) != 0)
                return Undo(child, -Errno.EFAULT);
            if ((flags & CLONE_CHILD_SETTID) != 0 && UserMemory.CopyOut(parent->Process, childTid, (byte*)&tid, 4) != 0)
                return Undo(child, -Errno.EFAULT);
            if ((flags & CLONE_CHILD_CLEARTID) != 0) child->ClearChildTid = childTid;
            return tid;
        }

        private static long Undo(Thread* child, long error)
        {
            ThreadControl.Exit(child, 0);
            return error;
        }

        // exit(): this thread only. With CHILD_CLEARTID, the tid word is cleared and a waiter woken.
        public static void ExitThread(Thread* t, int status)
        {
            if (t->ClearChildTid != 0)
            {
                uint zero = 0;
                if (UserMemory.CopyOut(t->Process, t->ClearChildTid, (byte*)&zero, 4) == 0)
                    Futex.WakeUp(t->Process, t->ClearChildTid, 1, 0xFFFF_FFFF);
            }
            ThreadControl.Exit(t, status);
        }
    }
}
