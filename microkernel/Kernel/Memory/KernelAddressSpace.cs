// Builds the kernel's own page tables and switches to them, replacing boot.S's temporary ones:
//   - the kernel image at KernelBase + physical, in 4 KiB pages with per-section permissions:
//     text read+execute, read-only data read+NX, data and bss read/write+NX;
//   - the guard page below each boot stack left unmapped, so an overflow faults;
//   - all physical memory at PhysicalWindowBase (2 MiB pages, read/write, NX), the kernel's window
//     for page tables, frames and boot modules;
//   - nothing in the lower half: user space starts empty and virtual page 0 is never mapped.
// (Intel SDM Vol. 3A §5.6 "Access Rights": NX needs IA32_EFER.NXE, set in boot.S.)
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Diagnostics;

namespace Biscuit.Kernel.Memory
{
    internal static unsafe class KernelAddressSpace
    {
        // The kernel's page table; written once at boot.
        private static PageTable s_table;
        private static ulong s_framesUsed;

        public static ulong Root => s_table.Root;
        public static ulong FramesUsed => s_framesUsed;

        public static void BuildAndSwitch(FramePool* frames, KernelLayout* layout, ulong physicalEnd)
        {
            ulong freeBefore = frames->FreeFrames;
            PhysicalWindow window = new PhysicalWindow(KernelImage.PhysicalWindowBase);
            PageTable table;
            Check(PageTable.Create(frames, window, out table), "kernel page table", 0);

            PageFlags text = PageFlags.None;
            PageFlags rodata = PageFlags.NoExecute;
            PageFlags data = PageFlags.Writable | PageFlags.NoExecute;
            MapRange(ref table, layout->ImageStart, layout->TextEnd, text);
            MapRange(ref table, layout->RodataStart, layout->RodataEnd, rodata);
            MapRange(ref table, layout->DataStart, layout->BssEnd, data);

            ulong end = (physicalEnd + PageTable.LargePageSize - 1) & ~(PageTable.LargePageSize - 1);
            for (ulong p = 0; p < end; p += PageTable.LargePageSize)
                Check(table.MapLarge(KernelImage.PhysicalWindowBase + p, p, data), "physical window", p);

            s_table = table;
            s_framesUsed = freeBefore - frames->FreeFrames;
            Cpu.WriteCr3(table.Root);
        }

        private static void MapRange(ref PageTable table, ulong start, ulong end, PageFlags flags)
        {
            for (ulong va = start & ~0xFFFUL; va < end; va += PageTable.PageSize)
            {
                if (KernelImage.IsGuardPage(va)) continue;
                Check(table.Map(va, KernelImage.ToPhysical(va), flags), "kernel image", va);
            }
        }

        private static void Check(MapResult result, string what, ulong address)
        {
            if (result == MapResult.Ok) return;
            Console.Write("biscuit: mapping the ");
            Console.Write(what);
            Console.Write(" failed: ");
            Console.WriteDecimal((ulong)result);
            Panic.Halt("cannot build the kernel page tables", address);
        }
    }
}
