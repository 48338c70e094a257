// Maps a validated ELF image (Processes/ElfImage.cs) into a new address space: for each PT_LOAD,
// fresh zeroed frames owned by the process, the file's bytes copied in, and the segment's
// permissions (writable only with PF_W, executable only with PF_X: NX otherwise). Segments that
// share a page share its frame, with the union of their permissions.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Processes
{
    public static unsafe class ElfLoader
    {
        // Returns 0 and the end of the highest segment (where the program break starts), or an error.
        public static long Load(Process* p, ElfImage* image, out ulong highestEnd)
        {
            PageTable* space = &p->Space;
            highestEnd = 0;
            for (int i = 0; i < image->ProgramHeaderCount; i++)
            {
                byte* ph = image->ProgramHeader(i);
                if (*(uint*)ph != ElfImage.PtLoad) continue;
                uint flags = *(uint*)(ph + 4);
                ulong offset = *(ulong*)(ph + 8), vaddr = *(ulong*)(ph + 16) + image->Bias;
                ulong filesz = *(ulong*)(ph + 32), memsz = *(ulong*)(ph + 40);
                if (vaddr + memsz > highestEnd) highestEnd = vaddr + memsz;
                PageFlags pageFlags = PageFlags.User | PageFlags.Owned;
                if ((flags & ElfImage.PfW) != 0) pageFlags |= PageFlags.Writable;
                if ((flags & ElfImage.PfX) == 0) pageFlags |= PageFlags.NoExecute;

                for (ulong page = vaddr & ~0xFFFUL; page < vaddr + memsz; page += 4096)
                {
                    ulong frame;
                    PageFlags existing;
                    if (space->Translate(page, out frame, out existing))
                    {
                        PageFlags merged = existing | (pageFlags & PageFlags.Writable);
                        if ((pageFlags & PageFlags.NoExecute) == 0) merged &= ~PageFlags.NoExecute;
                        space->Protect(page, merged & ~(PageFlags.Accessed | PageFlags.Dirty | PageFlags.Present));
                    }
                    else
                    {
                        frame = UserFrames.Take(p);
                        if (frame == 0) return -Errno.ENOMEM;
                        if (space->Map(page, frame, pageFlags) != MapResult.Ok)
                        {
                            UserFrames.Give(p, frame);
                            return -Errno.ENOMEM;
                        }
                    }
                    // Copy the part of the file that falls in this page.
                    ulong copyStart = page > vaddr ? page : vaddr;
                    ulong copyEnd = page + 4096 < vaddr + filesz ? page + 4096 : vaddr + filesz;
                    if (copyEnd > copyStart)
                        Internal.Runtime.Memory.Move(KernelImage.PhysicalToVirtual(frame) + (copyStart - page),
                            image->File + offset + (copyStart - vaddr), (nuint)(copyEnd - copyStart));
                }
            }
            return 0;
        }
    }
}
