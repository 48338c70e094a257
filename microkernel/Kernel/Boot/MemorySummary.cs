// The memory summary printed at boot. Its first line is the figure tests compare with QEMU's -m:
//   memory: N KiB usable reported by firmware in R ranges, highest address 0x...
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Memory;

namespace Biscuit.Kernel.Boot
{
    internal static unsafe class MemorySummary
    {
        public static void Print()
        {
            PhysicalMemoryMap* map = BootMemory.Map;
            FramePool* frames = BootMemory.Frames;
            Console.Write("memory: ");
            Console.WriteKiB(BootMemory.FirmwareUsableBytes);
            Console.Write(" usable reported by firmware, highest address ");
            Console.WriteHex(map->HighestAddress);
            Console.NewLine();
            Console.Write("memory: kernel image ");
            Console.WriteKiB(BootMemory.KernelImageBytes);
            Console.Write(", loader data ");
            Console.WriteKiB(BootMemory.LoaderDataBytes);
            Console.Write(", frame bitmap ");
            Console.WriteKiB(BootMemory.BitmapBytes);
            Console.Write(", frame share counts ");
            Console.WriteKiB(BootMemory.ShareCountBytes);
            Console.Write(", boot arena ");
            Console.WriteKiB(BootMemory.BootArenaBytes);
            Console.Write(", kernel page tables ");
            Console.WriteKiB(KernelAddressSpace.FramesUsed * FramePool.FrameSize);
            Console.NewLine();
            Console.Write("memory: pools ");
            Console.WriteKiB(BootMemory.PoolBytes);
            Console.Write(" (");
            for (int k = 0; k < (int)PoolKind.Count; k++)
            {
                if (k > 0) Console.Write(", ");
                Console.WriteDecimal(BootMemory.Plan->Capacity[k]);
                Console.Write(" ");
                Console.Write(PoolPlan.NameOf((PoolKind)k));
            }
            Console.WriteLine(")");
            Console.Write("memory: ");
            Console.WriteKiB(frames->FreeFrames * FramePool.FrameSize);
            Console.Write(" free in ");
            Console.WriteDecimal(frames->FreeFrames);
            Console.WriteLine(" frames");
        }
    }
}
