// The programs the loader handed over as Multiboot modules (QEMU -initrd "a,b,c"), by name: the
// last path component of each module's string. `process_spawn` starts them by that name. The
// symbol table module (*.syms) is not a program and is not listed.
using Biscuit.Kernel.Boot;

namespace Biscuit.Kernel.Processes
{
    public unsafe struct BootModule
    {
        public const int NameBytes = 32;
        public ulong Physical, Size;
        public int NameLength;
        public fixed byte Name[NameBytes];
    }

    public static unsafe class BootModules
    {
        public const int Capacity = 32;
        private struct Table { public fixed byte Bytes[Capacity * 64]; }
        private static Table s_modules;     // written at boot only
        private static int s_count;

        public static int Count => s_count;

        public static BootModule* At(int i)
        {
            fixed (byte* b = s_modules.Bytes) return (BootModule*)(b + i * 64);
        }

        public static void Register(Multiboot.Info* info)
        {
            if ((info->Flags & Multiboot.FlagModules) == 0) return;
            Multiboot.Module* modules = (Multiboot.Module*)KernelImage.PhysicalToVirtual(info->ModuleAddress);
            for (uint i = 0; i < info->ModuleCount && s_count < Capacity; i++)
            {
                if (modules[i].Name == 0) continue;
                byte* path = KernelImage.PhysicalToVirtual(modules[i].Name);
                if (Multiboot.EndsWith(path, ".syms")) continue;
                int length = Multiboot.StringLength(path), start = 0;
                for (int j = 0; j < length; j++)
                    if (path[j] == '/') start = j + 1;
                while (length > start && path[length - 1] == ' ') length--;
                BootModule* m = At(s_count++);
                m->Physical = modules[i].Start;
                m->Size = modules[i].End - modules[i].Start;
                m->NameLength = length - start > BootModule.NameBytes ? BootModule.NameBytes : length - start;
                for (int j = 0; j < m->NameLength; j++) m->Name[j] = path[start + j];
            }
        }

        public static BootModule* Find(byte* name, int length)
        {
            for (int i = 0; i < s_count; i++)
            {
                BootModule* m = At(i);
                if (m->NameLength != length) continue;
                bool same = true;
                for (int j = 0; j < length && same; j++) same = m->Name[j] == name[j];
                if (same) return m;
            }
            return null;
        }
    }
}
