// Every access the kernel makes to user memory goes through here. A user range is checked page by
// page against the process's own page table — in the lower half, no wrap-around, every page
// present (or committed and faulted in now, as a user access would), user-accessible, and writable
// when the kernel is to write it (a copy-on-write page first gets its own frame) — and then copied through the kernel's physical window, so a bad
// pointer is an EFAULT and never a kernel fault. (Page permissions: Intel SDM Vol. 3A §5.6; no
// SMAP games are needed because the kernel never dereferences a user address directly.)
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Memory
{
    public enum UserAccess { Read, Write, Poke }

    public static unsafe class UserMemory
    {
        public const ulong UserTop = 0x0000_8000_0000_0000;

        public static bool RangeIsUser(ulong address, ulong length) =>
            address + length >= address && address + length <= UserTop;

        // Copies `length` bytes from user `source` into kernel memory. Returns 0 or -EFAULT.
        public static long CopyIn(Process* p, byte* destination, ulong source, ulong length) =>
            Copy(p, source, length, destination, toUser: false);

        // Copies `length` bytes of kernel memory to user `destination`. Returns 0 or -EFAULT.
        public static long CopyOut(Process* p, ulong destination, byte* source, ulong length) =>
            Copy(p, destination, length, source, toUser: true);

        // Checks a whole range before any byte moves, so a failed copy changes nothing.
        public static bool Accessible(Process* p, ulong address, ulong length, bool write) =>
            Reachable(p, address, length, write ? UserAccess.Write : UserAccess.Read);

        // The same check for each kind of access. Poke (process_write, issue 7) is a write by the
        // kernel on the process's behalf that, like ptrace's POKEDATA, may go through a read-only
        // page — but only one whose frame the process owns: never a kernel page (no User bit), never
        // a page another process granted (not Owned) nor an IPC buffer. Lazy pages are faulted in
        // with the permission they have (a read), then written through the physical window.
        public static bool Reachable(Process* p, ulong address, ulong length, UserAccess access)
        {
            bool write = access == UserAccess.Write;
            if (!RangeIsUser(address, length)) return false;
            if (length == 0) return true;
            for (ulong page = address & ~0xFFFUL; page < address + length; page += 4096)
            {
                ulong physical;
                PageFlags flags;
                if (!p->Space.Translate(page, out physical, out flags))
                {
                    if (!DemandPaging.FaultIn(p, page, write, execute: false)) return false;
                    p->Space.Translate(page, out physical, out flags);
                }
                if ((flags & PageFlags.User) == 0) return false;
                // A write must not reach a frame another process holds (fork's sharing): the
                // page gets its own frame first, as a user write would (CopyOnWrite.cs).
                if (access != UserAccess.Read && CopyOnWrite.NeedsResolving(physical & ~0xFFFUL, flags))
                {
                    if (CopyOnWrite.Resolve(p, page) != CopyOnWriteResult.Resolved) return false;
                    p->Space.Translate(page, out physical, out flags);
                }
                if (write && (flags & PageFlags.Writable) == 0) return false;
                if (access == UserAccess.Poke && (flags & PageFlags.Writable) == 0 && (flags & PageFlags.Owned) == 0) return false;
            }
            return true;
        }

        private static long Copy(Process* p, ulong user, ulong length, byte* kernel, bool toUser)
        {
            if (!Accessible(p, user, length, toUser)) return -Errno.EFAULT;
            ulong done = 0;
            while (done < length)
            {
                ulong va = user + done;
                ulong physical;
                PageFlags flags;
                p->Space.Translate(va, out physical, out flags);
                ulong chunk = 4096 - (va & 0xFFF);
                if (chunk > length - done) chunk = length - done;
                byte* mapped = KernelImage.PhysicalToVirtual(physical);
                if (toUser) Internal.Runtime.Memory.Move(mapped, kernel + done, (nuint)chunk);
                else Internal.Runtime.Memory.Move(kernel + done, mapped, (nuint)chunk);
                done += chunk;
            }
            return 0;
        }

        // True if no page of [address, address + pages * 4096) has a page-table entry yet.
        public static bool PagesFree(Process* p, ulong address, ulong pages) =>
            !p->Space.AnyEntryIn(address, address + pages * 4096);

        public static long ReadU64(Process* p, ulong address, out ulong value)
        {
            ulong v = 0;
            long r = CopyIn(p, (byte*)&v, address, 8);
            value = v;
            return r;
        }

        public static long ReadU32(Process* p, ulong address, out uint value)
        {
            uint v = 0;
            long r = CopyIn(p, (byte*)&v, address, 4);
            value = v;
            return r;
        }
    }
}
