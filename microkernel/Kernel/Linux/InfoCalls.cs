// sysinfo, uname, prlimit64/getrlimit, sched_getaffinity, getrandom, membarrier, and the identity
// calls a server may make (getuid and friends: everything runs as root inside Biscuit for now).
// sysinfo reports the process's own memory budget, not the machine's, so a .NET runtime sizes its
// GC heap to what it may really use (DESIGN.md §4).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;
using Biscuit.Kernel.Time;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class InfoCalls
    {
        // struct sysinfo (x86-64, 112 bytes).
        private struct SysInfo
        {
            public long Uptime;
            public ulong Load1, Load5, Load15;
            public ulong TotalRam, FreeRam, SharedRam, BufferRam, TotalSwap, FreeSwap;
            public ushort Processes, Pad1;
            public uint Pad2;
            public ulong TotalHigh, FreeHigh;
            public uint MemoryUnit;
            public fixed byte Padding[4];
        }

        public static long Sysinfo(Thread* t, ulong address)
        {
            SysInfo s = default;
            ulong budget = t->Process->MemoryBudget;
            ulong physicalFree = BootMemory.Frames->FreeFrames * 4096;
            ulong used = t->Process->OwnedFrames * 4096;
            s.Uptime = (long)(Clock.MonotonicNanoseconds() / 1_000_000_000);
            s.TotalRam = budget;
            ulong free = budget > used ? budget - used : 0;
            s.FreeRam = free < physicalFree ? free : physicalFree;
            s.Processes = 1;
            s.MemoryUnit = 1;
            return UserMemory.CopyOut(t->Process, address, (byte*)&s, (ulong)sizeof(SysInfo));
        }

        public static long Uname(Thread* t, ulong address)
        {
            const int Field = 65;
            byte* u = stackalloc byte[Field * 6];
            Internal.Runtime.Memory.Zero(u, Field * 6);
            Put(u + 0 * Field, "Linux");               // what the C library and runtimes expect to see
            Put(u + 1 * Field, "biscuit");
            Put(u + 2 * Field, "6.1.0-biscuit");
            Put(u + 3 * Field, "#1 Biscuit microkernel");
            Put(u + 4 * Field, "x86_64");
            Put(u + 5 * Field, "(none)");
            return UserMemory.CopyOut(t->Process, address, u, Field * 6);
        }

        private static void Put(byte* dst, string s)
        {
            for (int i = 0; i < s.Length; i++) dst[i] = (byte)s[i];
        }

        // prlimit64(pid, resource, new, old): reports the kernel's limits; new limits are accepted
        // only for the calling process and only where they are no higher than the kernel's.
        public static long Prlimit(Thread* t, ulong pid, ulong resource, ulong newLimit, ulong oldLimit)
        {
            if (pid != 0 && pid != t->Process->Id && pid != Signals.VisiblePid(t->Process)) return -Errno.ESRCH;
            if (resource >= 16) return -Errno.EINVAL;
            ulong* limit = stackalloc ulong[2];
            const ulong Infinity = ulong.MaxValue;
            limit[0] = limit[1] = resource switch
            {
                7 => LinuxState.Files,       // RLIMIT_NOFILE
                3 => 8UL << 20,              // RLIMIT_STACK
                _ => Infinity,
            };
            if (oldLimit != 0 && UserMemory.CopyOut(t->Process, oldLimit, (byte*)limit, 16) != 0) return -Errno.EFAULT;
            if (newLimit != 0)
            {
                ulong* wanted = stackalloc ulong[2];
                if (UserMemory.CopyIn(t->Process, (byte*)wanted, newLimit, 16) != 0) return -Errno.EFAULT;
                if (wanted[0] > wanted[1]) return -Errno.EINVAL;
                if (wanted[1] > limit[1]) return -Errno.EPERM;
            }
            return 0;
        }

        public static long Getrlimit(Thread* t, ulong resource, ulong address) => Prlimit(t, 0, resource, 0, address);

        // One CPU: the mask has bit 0 set; the result is the mask's size in bytes.
        public static long SchedGetaffinity(Thread* t, ulong pid, ulong length, ulong address)
        {
            if (length < 8 || (length & 7) != 0) return -Errno.EINVAL;
            ulong mask = 1;
            return UserMemory.CopyOut(t->Process, address, (byte*)&mask, 8) != 0 ? -Errno.EFAULT : 8;
        }

        // getrandom: a xorshift generator seeded from the time-stamp counter. Not cryptographic:
        // good for hash seeds and address randomisation, not for keys (stated in README).
        private static ulong s_state = 0x853C_49E6_748F_EA9B;
        public static long Getrandom(Thread* t, ulong address, ulong length, ulong flags)
        {
            if ((flags & ~7UL) != 0) return -Errno.EINVAL;
            if (length > 1 << 20) length = 1 << 20;
            byte* chunk = stackalloc byte[256];
            for (ulong done = 0; done < length;)
            {
                ulong n = length - done < 256 ? length - done : 256;
                for (ulong i = 0; i < n; i += 8)
                {
                    s_state ^= Cpu.ReadTimestampCounter();
                    s_state ^= s_state >> 12; s_state ^= s_state << 25; s_state ^= s_state >> 27;
                    ulong v = s_state * 0x2545_F491_4F6C_DD1D;
                    for (ulong b = 0; b < 8 && i + b < n; b++) chunk[i + b] = (byte)(v >> (int)(8 * b));
                }
                if (UserMemory.CopyOut(t->Process, address + done, chunk, n) != 0) return done > 0 ? (long)done : -Errno.EFAULT;
                done += n;
            }
            return (long)length;
        }

        // membarrier: with one CPU every thread of the process sees this one's writes at its next
        // instruction, so every command is already satisfied. QUERY reports them.
        public static long Membarrier(Thread* t, ulong command, ulong flags)
        {
            const ulong Query = 0, Global = 1, PrivateExpedited = 8, RegisterPrivateExpedited = 16;
            if (command == Query) return (long)(Global | PrivateExpedited | RegisterPrivateExpedited);
            if (command == Global || command == PrivateExpedited || command == RegisterPrivateExpedited) return 0;
            return -Errno.EINVAL;
        }
    }
}
