// The Multiboot 1 information structure the loader (QEMU) leaves in memory, read through the
// kernel's physical window. Layout: Multiboot Specification 0.6.96 §3.3 "Boot information format".
using System.Runtime.InteropServices;

namespace Biscuit.Kernel.Boot
{
    public static unsafe class Multiboot
    {
        public const uint LoaderMagic = 0x2BADB002;
        public const uint FlagMemory = 1 << 0, FlagCommandLine = 1 << 2, FlagModules = 1 << 3, FlagMemoryMap = 1 << 6;
        public const uint MemoryAvailable = 1;

        [StructLayout(LayoutKind.Sequential)]
        public struct Info
        {
            public uint Flags, MemLower, MemUpper, BootDevice, CommandLine, ModuleCount, ModuleAddress;
            public uint Syms0, Syms1, Syms2, Syms3;
            public uint MemoryMapLength, MemoryMapAddress;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct Module
        {
            public uint Start, End, Name, Reserved;
        }

        // Memory-map entries are preceded by their size, which excludes the size field itself.
        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        public struct MemoryMapEntry
        {
            public uint Size;
            public ulong BaseAddress, Length;
            public uint Type;
        }

        public static int StringLength(byte* s)
        {
            int n = 0;
            while (n < 4096 && s[n] != 0) n++;
            return n;
        }

        public static bool EndsWith(byte* s, string suffix)
        {
            int n = StringLength(s);
            if (n < suffix.Length) return false;
            for (int i = 0; i < suffix.Length; i++)
                if (s[n - suffix.Length + i] != suffix[i]) return false;
            return true;
        }
    }
}
