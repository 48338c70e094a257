// The initial user stack of a new process, laid out as Linux does for x86-64 (System V psABI
// §3.4.1 "Initial Stack and Register State"): from the stack pointer upward,
//   argc | argv[0..argc-1] | NULL | envp[...] | NULL | auxv (type, value) pairs ... AT_NULL
// and above them the strings they point to, 16 random bytes (AT_RANDOM) and the platform name.
// RSP is 16-byte aligned at entry. The kernel builds it in the stack's top pages through its own
// mapping (`area`, which the process will see ending at `userTop`).
// Pure code over bytes: compiled into the kernel and into the host unit tests.
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Processes
{
    public struct AuxEntry
    {
        public ulong Type, Value;
        public AuxEntry(ulong type, ulong value) { Type = type; Value = value; }
    }

    public static unsafe class InitialStack
    {
        public const ulong AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
            AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15,
            AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31;

        // `args` and `env` are NUL-separated strings. Returns 0 and the user RSP, or -E2BIG when
        // everything does not fit in `areaBytes`.
        public static long Build(byte* area, ulong areaBytes, ulong userTop,
                                 byte* args, int argsLength, byte* env, int envLength,
                                 AuxEntry* aux, int auxCount, byte* random16, out ulong userRsp)
        {
            userRsp = 0;
            int argc = CountStrings(args, argsLength), envc = CountStrings(env, envLength);
            // Bytes for the strings (each NUL-terminated), random bytes and platform, then vectors.
            ulong stringBytes = StringBytes(args, argsLength) + StringBytes(env, envLength) + 16 + 8;
            ulong vectorBytes = 8 + (ulong)(argc + 1) * 8 + (ulong)(envc + 1) * 8 + (ulong)(auxCount + 4) * 16;
            ulong total = ((stringBytes + 15) & ~15UL) + ((vectorBytes + 15) & ~15UL) + 16;
            if (total > areaBytes) return -Errno.E2BIG;

            byte* kernelTop = area + areaBytes;
            ulong cursor = userTop;                  // user address of the next byte to place (growing down)
            ulong randomAt = cursor -= 16;
            Copy(kernelTop - (userTop - randomAt), random16, 16);
            ulong platformAt = cursor -= 8;
            Copy(kernelTop - (userTop - platformAt), "x86_64", 7);
            ulong envStrings = cursor -= StringBytes(env, envLength);
            PlaceStrings(kernelTop - (userTop - envStrings), env, envLength);
            ulong argStrings = cursor -= StringBytes(args, argsLength);
            PlaceStrings(kernelTop - (userTop - argStrings), args, argsLength);

            cursor &= ~15UL;
            ulong words = 1 + (ulong)(argc + 1) + (ulong)(envc + 1) + (ulong)(auxCount + 4) * 2;
            cursor -= words * 8;
            cursor &= ~15UL;                         // RSP must be 16-byte aligned at entry
            ulong* v = (ulong*)(kernelTop - (userTop - cursor));
            int w = 0;
            v[w++] = (ulong)argc;
            ulong execfn = argc > 0 ? argStrings : 0;
            w = PlacePointers(v, w, argStrings, args, argsLength);
            v[w++] = 0;
            w = PlacePointers(v, w, envStrings, env, envLength);
            v[w++] = 0;
            for (int i = 0; i < auxCount; i++) { v[w++] = aux[i].Type; v[w++] = aux[i].Value; }
            v[w++] = AT_RANDOM; v[w++] = randomAt;
            v[w++] = AT_PLATFORM; v[w++] = platformAt;
            v[w++] = AT_EXECFN; v[w++] = execfn;
            v[w++] = AT_NULL; v[w++] = 0;
            userRsp = cursor;
            return 0;
        }

        public static int CountStrings(byte* s, int length)
        {
            int n = 0;
            for (int i = 0; i < length; i++)
                if (s[i] == 0 || i == length - 1) n++;
            return n;
        }

        // Bytes the strings take once each is NUL-terminated.
        private static ulong StringBytes(byte* s, int length)
        {
            if (length == 0) return 0;
            return (ulong)length + (s[length - 1] == 0 ? 0UL : 1UL);
        }

        private static void PlaceStrings(byte* dst, byte* s, int length)
        {
            for (int i = 0; i < length; i++) dst[i] = s[i];
            if (length > 0 && s[length - 1] != 0) dst[length] = 0;
        }

        private static int PlacePointers(ulong* v, int w, ulong userBase, byte* s, int length)
        {
            int start = 0;
            for (int i = 0; i < length; i++)
                if (s[i] == 0 || i == length - 1)
                {
                    v[w++] = userBase + (ulong)start;
                    start = i + 1;
                }
            return w;
        }

        private static void Copy(byte* dst, byte* src, int n) { for (int i = 0; i < n; i++) dst[i] = src[i]; }
        private static void Copy(byte* dst, string s, int n) { for (int i = 0; i < n; i++) dst[i] = i < s.Length ? (byte)s[i] : (byte)0; }
    }
}
