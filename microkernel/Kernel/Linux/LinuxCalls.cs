// The Linux x86-64 system calls the kernel answers itself: the "core" ABI every process needs —
// memory, threads, futexes, signals, time, the console and the runtime's signal pipe (DESIGN.md §4;
// the measured list is in the project notes on the .NET runtime). Every other Linux call answers
// ENOSYS and is logged once per process and number, so that missing calls are visible. For an
// application (a process with a personality endpoint) only the core set is answered here and
// every other call is forwarded to its personality server (Forwarding.cs, issue 7).
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class LinuxCalls
    {
        public static long Handle(Thread* t, InterruptFrame* f, ulong number)
        {
            ulong a0 = f->Rdi, a1 = f->Rsi, a2 = f->Rdx, a3 = f->R10, a4 = f->R8, a5 = f->R9;
            if (t->Process->Personality != null)
            {
                // An application: only the core set is the kernel's (Forwarding.cs, issue 7).
                if (!ForwardingRules.IsCore(number, a0, a1, a3)) return Forwarding.Forward(t);
                if (number == 273) return 0;                                   // set_robust_list
                if (number == 334) return -Errno.ENOSYS;                       // rseq
            }
            switch (number)
            {
                case 0: return FileCalls.Read(t, a0, a1, a2);
                case 1: return FileCalls.Write(t, a0, a1, a2);
                case 3: return FileCalls.Close(t, a0);
                case 9: return MemoryMapCalls.Mmap(t, a0, a1, a2, a3, a4, a5);
                case 10: return MemoryMapCalls.Mprotect(t, a0, a1, a2);
                case 11: return MemoryMapCalls.Munmap(t, a0, a1);
                case 12: return MemoryMapCalls.Brk(t, a0);
                case 13: return SignalCalls.Sigaction(t, a0, a1, a2, a3);
                case 14: return SignalCalls.Sigprocmask(t, a0, a1, a2, a3);
                case 15: return Signals.Return(t);
                case 16: return FileCalls.Ioctl(t, a0, a1, a2);
                case 20: return FileCalls.Writev(t, a0, a1, a2);
                case 24: Scheduler.Yield(); return 0;
                case 28: return MemoryMapCalls.Madvise(t, a0, a1, a2);
                case 32: return FileCalls.Dup(t, a0);
                case 35: return TimeCalls.Nanosleep(t, a0);
                case 39: return (long)Signals.VisiblePid(t->Process);           // getpid
                case 56: return CloneCalls.Clone(t, a0, a1, a2, a3, a4);
                case 60: CloneCalls.ExitThread(t, (int)a0); return 0;
                case 62: return SignalCalls.Kill(t, a0, a1);
                case 63: return InfoCalls.Uname(t, a0);
                case 72: return FileCalls.Fcntl(t, a0, a1, a2);
                case 130: return SignalCalls.Sigsuspend(t, a0, a1);
                case 96: return TimeCalls.Gettimeofday(t, a0);
                case 97: return InfoCalls.Getrlimit(t, a0, a1);
                case 99: return InfoCalls.Sysinfo(t, a0);
                case 102: case 104: case 107: case 108: return 0;               // getuid, getgid, geteuid, getegid
                case 110: return 0;                                             // getppid: the kernel
                case 149: return MemoryMapCalls.Mlock(t, a0, a1);
                case 160: return InfoCalls.Prlimit(t, 0, a0, a1, 0);                // setrlimit
                case 150: return 0;                                             // munlock
                case 158: return ArchPrctl(t, a0, a1);
                case 186: return (long)ThreadIdCalls.TidOf(t);                  // gettid
                case 200: return SignalCalls.Tkill(t, a0, a1);
                case 201: return TimeCalls.Time(t, a0);
                case 202: return Futex.Call(t, a0, a1, a2, a3, a4, a5);
                case 204: return InfoCalls.SchedGetaffinity(t, a0, a1, a2);
                case 218: return ThreadIdCalls.SetTidAddress(t, a0);
                case 228: return TimeCalls.ClockGettime(t, a0, a1);
                case 229: return TimeCalls.ClockGetres(t, a0, a1);
                case 230: return TimeCalls.ClockNanosleep(t, a0, a1, a2);
                case 231: ProcessControl.Exit(t->Process, ((int)a0 & 0xFF) << 8); return 0;
                case 234: return SignalCalls.Tgkill(t, a0, a1, a2);
                case 292: return FileCalls.Dup3(t, a0, a1, a2);
                case 293: return FileCalls.Pipe2(t, a0, a1);
                case 302: return InfoCalls.Prlimit(t, a0, a1, a2, a3);
                case 318: return InfoCalls.Getrandom(t, a0, a1, a2);
                case 324: return InfoCalls.Membarrier(t, a0, a1);
                default: return Unimplemented(t, number);
            }
        }

        private static long ArchPrctl(Thread* t, ulong code, ulong address)
        {
            const ulong ArchSetFs = 0x1002, ArchGetFs = 0x1003;
            if (code == ArchSetFs)
            {
                if (address >= Memory.UserMemory.UserTop) return -Errno.EPERM;
                t->FsBase = address;
                Cpu.WriteMsr(Cpu.MsrFsBase, address);
                return 0;
            }
            if (code == ArchGetFs)
            {
                ulong value = t->FsBase;
                return Memory.UserMemory.CopyOut(t->Process, address, (byte*)&value, 8);
            }
            return -Errno.EINVAL;
        }

        private static long Unimplemented(Thread* t, ulong number)
        {
            if (t->Process->Linux->FirstTimeUnimplemented(number))
            {
                Console.Write("biscuit: process ");
                Console.WriteDecimal(t->Process->Id);
                Console.Write(" (");
                ProcessControl.WriteName(t->Process);
                Console.Write("): Linux system call ");
                Console.WriteDecimal(number);
                Console.WriteLine(" is not implemented (ENOSYS)");
            }
            return -Errno.ENOSYS;
        }
    }
}
