// process_read and process_write (issue 7): copying between the caller's memory and another
// process's, for a personality server that reaches an application's buffers, paths and structs.
// Both ranges are checked page by page before any byte moves (UserMemory.Reachable: user half
// only, demand pages faulted in, the remote side of a write may be a read-only page the target
// owns, never a kernel page), then the bytes go frame to frame through the kernel's physical
// window: no user address is ever dereferenced. One call copies at most MaxTransfer bytes (the
// kernel runs with interrupts off), and returns how many it copied. Writing code this way needs no
// flush: the store goes to the same physical line the target will fetch, and x86 keeps
// instruction fetch coherent with stores by physical address (Intel SDM Vol. 3A §11.6).
// No page-table entry changes, so no TLB shootdown is needed either.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Memory
{
    public static unsafe class ProcessMemory
    {
        public const ulong MaxTransfer = 1UL << 20;

        // Copies `length` bytes between `local` in `caller` and `remote` in `target`; into the target
        // when `intoTarget`. Returns the count copied or -EFAULT (and then nothing was copied).
        public static long Copy(Process* caller, ulong local, Process* target, ulong remote, ulong length, bool intoTarget)
        {
            if (length > MaxTransfer) length = MaxTransfer;
            if (!UserMemory.Reachable(target, remote, length, intoTarget ? UserAccess.Poke : UserAccess.Read)) return -Errno.EFAULT;
            if (!UserMemory.Reachable(caller, local, length, intoTarget ? UserAccess.Read : UserAccess.Write)) return -Errno.EFAULT;
            ulong done = 0;
            while (done < length)
            {
                ulong l = local + done, r = remote + done;
                ulong lp, rp;
                PageFlags ignored;
                caller->Space.Translate(l, out lp, out ignored);
                target->Space.Translate(r, out rp, out ignored);
                ulong chunk = length - done;
                if (chunk > 4096 - (l & 0xFFF)) chunk = 4096 - (l & 0xFFF);
                if (chunk > 4096 - (r & 0xFFF)) chunk = 4096 - (r & 0xFFF);
                byte* lv = KernelImage.PhysicalToVirtual(lp), rv = KernelImage.PhysicalToVirtual(rp);
                if (intoTarget) Internal.Runtime.Memory.Move(rv, lv, (nuint)chunk);
                else Internal.Runtime.Memory.Move(lv, rv, (nuint)chunk);
                done += chunk;
            }
            return (long)length;
        }
    }
}
