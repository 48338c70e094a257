// The few Linux system calls the kernel answers itself so that ordinary static Linux programs
// (musl, glibc) start, print and exit: write/writev to the console (fds 1 and 2), exit,
// exit_group, arch_prctl(ARCH_SET_FS/GET_FS), set_tid_address, getpid, gettid, sched_yield,
// ioctl (ENOTTY: the console is not a terminal). Every other Linux call is ENOSYS until the
// Linux core ABI (issue 4) and forwarding to `posix` (issue 7) arrive.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class LinuxCalls
    {
        private const ulong Write = 1, Ioctl = 16, Writev = 20, SchedYield = 24, GetPid = 39, Exit = 60,
            ArchPrctl = 158, GetTid = 186, SetTidAddress = 218, ExitGroup = 231;
        private const ulong ArchSetFs = 0x1002, ArchGetFs = 0x1003;
        public const ulong MaxConsoleWrite = 64 * 1024;

        public static long Handle(Thread* t, InterruptFrame* f, ulong number)
        {
            switch (number)
            {
                case Write: return ConsoleWrite(t, f->Rdi, f->Rsi, f->Rdx);
                case Writev: return ConsoleWritev(t, f->Rdi, f->Rsi, f->Rdx);
                case Exit: ThreadControl.Exit(t, (int)f->Rdi); return 0;
                case ExitGroup: ProcessControl.Exit(t->Process, ((int)f->Rdi & 0xFF) << 8); return 0;
                case ArchPrctl: return ArchControl(t, f->Rdi, f->Rsi);
                case SetTidAddress: t->ClearChildTid = f->Rdi; return (long)t->Id;
                case GetPid: return (long)t->Process->Id;
                case GetTid: return (long)t->Id;
                case SchedYield: Scheduler.Yield(); return 0;
                case Ioctl: return -Errno.ENOTTY;
                default: return -Errno.ENOSYS;
            }
        }

        // write(fd, buf, count): fds 1 and 2 are the console. Copies through a bounded kernel
        // buffer, so a bad pointer anywhere in the range is EFAULT and nothing is printed.
        public static long ConsoleWrite(Thread* t, ulong fd, ulong buffer, ulong count)
        {
            if (fd != 1 && fd != 2) return -Errno.EBADF;
            if (!UserMemory.RangeIsUser(buffer, count)) return -Errno.EFAULT;
            if (count > MaxConsoleWrite) count = MaxConsoleWrite;
            if (!UserMemory.Accessible(&t->Process->Space, buffer, count, write: false)) return -Errno.EFAULT;
            byte* chunk = stackalloc byte[256];
            for (ulong done = 0; done < count;)
            {
                ulong n = count - done < 256 ? count - done : 256;
                UserMemory.CopyIn(&t->Process->Space, chunk, buffer + done, n);
                Console.Write(chunk, (int)n);
                done += n;
            }
            return (long)count;
        }

        private static long ConsoleWritev(Thread* t, ulong fd, ulong vector, ulong count)
        {
            if (count > 1024) return -Errno.EINVAL;
            long total = 0;
            for (ulong i = 0; i < count; i++)
            {
                ulong baseAddress, length;
                if (UserMemory.ReadU64(&t->Process->Space, vector + i * 16, out baseAddress) != 0) return -Errno.EFAULT;
                if (UserMemory.ReadU64(&t->Process->Space, vector + i * 16 + 8, out length) != 0) return -Errno.EFAULT;
                long r = ConsoleWrite(t, fd, baseAddress, length);
                if (r < 0) return total > 0 ? total : r;
                total += r;
            }
            return total;
        }

        private static long ArchControl(Thread* t, ulong code, ulong address)
        {
            if (code == ArchSetFs)
            {
                if (!UserMemory.RangeIsUser(address, 0)) return -Errno.EPERM;
                t->FsBase = address;
                Cpu.WriteMsr(Cpu.MsrFsBase, address);
                return 0;
            }
            if (code == ArchGetFs)
            {
                ulong value = t->FsBase;
                return UserMemory.CopyOut(&t->Process->Space, address, (byte*)&value, 8);
            }
            return -Errno.EINVAL;
        }
    }
}
