// Boot-time memory set-up, in order:
//   1. the usable physical memory = the loader's "available" ranges minus the first megabyte, the
//      kernel image, and everything the loader handed over (its info block, command line, memory
//      map, module list, module names and module contents);
//   2. the frame allocator's bitmap and its share counts (fork's shared pages), carved from the
//      first usable range big enough for both;
//   3. the frame allocator, with every usable frame free;
//   4. the boot arena for the kernel's C# objects (BootArenaBytes, sealed when boot completes);
//   5. the kernel's own page tables (Memory/KernelAddressSpace.cs);
//   6. the object pools, sized from what is left (Memory/BootPools.cs), or a panic with the numbers
//      when they and the minimum for user space do not fit.
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Memory;
using Internal.Runtime;

namespace Biscuit.Kernel.Boot
{
    internal static unsafe class BootMemory
    {
        public const ulong BootArenaBytes = 256 * 1024;
        private const ulong FirstMegabyte = 1UL << 20;

        // All written once during boot.
        private static PhysicalMemoryMap s_map;
        private static FramePool s_frames;
        private static PoolPlan s_plan;
        private static SlotPoolSet s_pools;
        public static ulong FirmwareUsableBytes, KernelImageBytes, LoaderDataBytes, BitmapBytes, ShareCountBytes, PoolBytes;

        private struct SlotPoolSet { public fixed byte Bytes[(int)PoolKind.Count * 64]; }

        public static FramePool* Frames { get { fixed (FramePool* f = &s_frames) return f; } }
        public static PhysicalMemoryMap* Map { get { fixed (PhysicalMemoryMap* m = &s_map) return m; } }
        public static PoolPlan* Plan { get { fixed (PoolPlan* p = &s_plan) return p; } }
        public static SlotPool* Pool(PoolKind kind) { fixed (byte* b = s_pools.Bytes) return (SlotPool*)b + (int)kind; }

        public static void DiscoverMemory(Multiboot.Info* info, KernelLayout* layout)
        {
            if ((info->Flags & Multiboot.FlagMemoryMap) == 0)
                Panic.Halt("the loader gave no memory map (Multiboot flag 6)");
            PhysicalMemoryMap* map = Map;
            byte* entry = KernelImage.PhysicalToVirtual(info->MemoryMapAddress);
            byte* end = entry + info->MemoryMapLength;
            while (entry < end)
            {
                Multiboot.MemoryMapEntry* e = (Multiboot.MemoryMapEntry*)entry;
                if (e->Type == Multiboot.MemoryAvailable) map->AddAvailable(e->BaseAddress, e->Length);
                entry += e->Size + 4;
            }
            FirmwareUsableBytes = map->TotalBytes;
            if (map->Dropped != 0)
                Panic.Halt("the memory map has more ranges than the kernel can track", (ulong)map->Dropped);

            ulong before = map->TotalBytes;
            map->Remove(0, FirstMegabyte);
            ulong imageStart = KernelImage.ToPhysical(layout->ImageStart), imageEnd = KernelImage.ToPhysical(layout->BssEnd);
            map->Remove(imageStart, imageEnd - imageStart);
            KernelImageBytes = imageEnd - imageStart;
            ulong afterImage = map->TotalBytes;
            RemoveLoaderData(map, info);
            LoaderDataBytes = afterImage - map->TotalBytes;
        }

        private static void RemoveLoaderData(PhysicalMemoryMap* map, Multiboot.Info* info)
        {
            ulong infoPhysical = (ulong)info - KernelImage.PhysicalWindowBase;
            map->Remove(infoPhysical, (ulong)sizeof(Multiboot.Info));
            map->Remove(info->MemoryMapAddress, info->MemoryMapLength);
            if ((info->Flags & Multiboot.FlagCommandLine) != 0)
                map->Remove(info->CommandLine, (ulong)Multiboot.StringLength(KernelImage.PhysicalToVirtual(info->CommandLine)) + 1);
            if ((info->Flags & Multiboot.FlagModules) != 0)
            {
                Multiboot.Module* modules = (Multiboot.Module*)KernelImage.PhysicalToVirtual(info->ModuleAddress);
                map->Remove(info->ModuleAddress, info->ModuleCount * (ulong)sizeof(Multiboot.Module));
                for (uint i = 0; i < info->ModuleCount; i++)
                {
                    map->Remove(modules[i].Start, modules[i].End - modules[i].Start);
                    if (modules[i].Name != 0)
                        map->Remove(modules[i].Name, (ulong)Multiboot.StringLength(KernelImage.PhysicalToVirtual(modules[i].Name)) + 1);
                }
            }
        }

        public static void CreateFramePool()
        {
            PhysicalMemoryMap* map = Map;
            ulong frameCount = map->HighestAddress / FramePool.FrameSize;
            BitmapBytes = PhysicalMemoryMap.AlignUp(FramePool.BitmapBytes(frameCount));
            ShareCountBytes = PhysicalMemoryMap.AlignUp(FramePool.ShareCountBytes(frameCount));
            ulong bytes = BitmapBytes + ShareCountBytes;
            ulong bitmapPhysical = 0;
            for (int i = 0; i < map->Count; i++)
                if (map->EndOf(i) - map->StartOf(i) >= bytes) { bitmapPhysical = map->StartOf(i); break; }
            if (bitmapPhysical == 0)
                Panic.Halt("no usable range can hold the frame bitmap and share counts; bytes needed", bytes);
            map->Remove(bitmapPhysical, bytes);

            FramePool* frames = Frames;
            frames->Initialize((ulong*)KernelImage.PhysicalToVirtual(bitmapPhysical), frameCount);
            frames->AttachShareCounts((ushort*)KernelImage.PhysicalToVirtual(bitmapPhysical + BitmapBytes));
            for (int i = 0; i < map->Count; i++)
                frames->Free(map->StartOf(i), map->EndOf(i));
        }

        public static void CreateBootArena()
        {
            ulong physical = Frames->TakeContiguous(BootArenaBytes / FramePool.FrameSize, 1);
            if (physical == 0)
                Panic.Halt("no memory for the boot arena; bytes needed", BootArenaBytes);
            BootArena.Give(KernelImage.PhysicalToVirtual(physical), (nuint)BootArenaBytes);
        }

        public static void CreatePools()
        {
            // Control blocks live in fixed-size pool slots: a struct that outgrew its slot would
            // overwrite its neighbour, so the kernel refuses to boot instead.
            if ((ulong)sizeof(Threads.Thread) > PoolPlan.ThreadBlockBytes) Panic.Halt("Thread outgrew its pool slot; bytes", (ulong)sizeof(Threads.Thread));
            if ((ulong)sizeof(Processes.Process) > PoolPlan.ProcessBytes) Panic.Halt("Process outgrew its pool slot; bytes", (ulong)sizeof(Processes.Process));
            FramePool* frames = Frames;
            ulong freeBytes = frames->FreeFrames * FramePool.FrameSize;
            s_plan = PoolPlan.ForMemory(freeBytes);
            PoolPlan* plan = Plan;
            if (!plan->FitsIn(freeBytes))
            {
                Console.Write("biscuit: boot pools need ");
                Console.WriteKiB(plan->TotalBytes);
                Console.Write(" plus ");
                Console.WriteKiB(PoolPlan.MinimumUserBytes);
                Console.Write(" for user space, but only ");
                Console.WriteKiB(freeBytes);
                Console.Write(" is free (firmware reported ");
                Console.WriteKiB(FirmwareUsableBytes);
                Console.WriteLine(" usable)");
                Panic.Halt("too little memory for the boot pools; bytes short", plan->TotalBytes + PoolPlan.MinimumUserBytes - freeBytes);
            }
            for (int k = 0; k < (int)PoolKind.Count; k++)
            {
                ulong bytes = plan->BytesOf((PoolKind)k);
                ulong physical = frames->TakeContiguous(bytes / FramePool.FrameSize, 1);
                if (physical == 0)
                    Panic.Halt("physical memory too fragmented for a boot pool; bytes", bytes);
                Pool((PoolKind)k)->Initialize(KernelImage.PhysicalToVirtual(physical), plan->SlotBytes[k], plan->Capacity[k]);
                PoolBytes += bytes;
            }
        }
    }
}
