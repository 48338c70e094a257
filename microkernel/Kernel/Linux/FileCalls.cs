// read, write, writev, close, pipe2, fcntl, dup, dup3 and ioctl over the kernel's small
// file-descriptor table (Linux/LinuxState.cs): fds 0-2 are the console, the rest pipes.
// Console output goes to the serial port; console input is always at end of file.
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    internal static unsafe class FileCalls
    {
        public const ulong MaxConsoleWrite = 64 * 1024;
        private const int O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
        private const int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030, FD_CLOEXEC = 1;

        private static FileDescriptor* Lookup(Thread* t, ulong fd)
        {
            if (fd >= LinuxState.Files) return null;
            FileDescriptor* f = t->Process->Linux->File((int)fd);
            return f->Kind == FileKind.None ? null : f;
        }

        // Console output: copied through a bounded kernel buffer, so a bad pointer anywhere in the
        // range is EFAULT and nothing is printed.
        public static long ConsoleWrite(Thread* t, ulong buffer, ulong count)
        {
            if (!UserMemory.RangeIsUser(buffer, count)) return -Errno.EFAULT;
            if (count > MaxConsoleWrite) count = MaxConsoleWrite;
            if (!UserMemory.Accessible(t->Process, buffer, count, write: false)) return -Errno.EFAULT;
            byte* chunk = stackalloc byte[256];
            for (ulong done = 0; done < count;)
            {
                ulong n = count - done < 256 ? count - done : 256;
                UserMemory.CopyIn(t->Process, chunk, buffer + done, n);
                Console.Write(chunk, (int)n);
                done += n;
            }
            return (long)count;
        }

        public static long Write(Thread* t, ulong fd, ulong buffer, ulong count)
        {
            FileDescriptor* f = Lookup(t, fd);
            if (f == null) return -Errno.EBADF;
            switch (f->Kind)
            {
                case FileKind.Console: return ConsoleWrite(t, buffer, count);
                case FileKind.PipeWrite: return Pipe.Write(t, f->Pipe, buffer, count, f->NonBlocking);
                default: return -Errno.EBADF;
            }
        }

        public static long Read(Thread* t, ulong fd, ulong buffer, ulong count)
        {
            FileDescriptor* f = Lookup(t, fd);
            if (f == null) return -Errno.EBADF;
            if (!UserMemory.RangeIsUser(buffer, count)) return -Errno.EFAULT;
            switch (f->Kind)
            {
                case FileKind.Console: return 0;
                case FileKind.PipeRead: return Pipe.Read(t, f->Pipe, buffer, count, f->NonBlocking);
                default: return -Errno.EBADF;
            }
        }

        public static long Writev(Thread* t, ulong fd, ulong vector, ulong count)
        {
            if (count > 1024) return -Errno.EINVAL;
            long total = 0;
            for (ulong i = 0; i < count; i++)
            {
                ulong baseAddress, length;
                if (UserMemory.ReadU64(t->Process, vector + i * 16, out baseAddress) != 0) return -Errno.EFAULT;
                if (UserMemory.ReadU64(t->Process, vector + i * 16 + 8, out length) != 0) return -Errno.EFAULT;
                long r = Write(t, fd, baseAddress, length);
                if (t->State != ThreadState.Running) return total;   // blocked: nothing more this time
                if (r < 0) return total > 0 ? total : r;
                total += r;
            }
            return total;
        }

        public static long Close(Thread* t, ulong fd)
        {
            FileDescriptor* f = Lookup(t, fd);
            if (f == null) return -Errno.EBADF;
            Release(f);
            return 0;
        }

        public static void Release(FileDescriptor* f)
        {
            if (f->Kind == FileKind.PipeRead || f->Kind == FileKind.PipeWrite)
                Pipe.CloseEnd(f->Pipe, f->Kind == FileKind.PipeWrite);
            f->Kind = FileKind.None;
            f->Pipe = null;
            f->CloseOnExec = false;
            f->NonBlocking = false;
        }

        public static void CloseAll(LinuxState* state)
        {
            for (int fd = 0; fd < LinuxState.Files; fd++)
                if (state->File(fd)->Kind != FileKind.None) Release(state->File(fd));
        }

        private static int FreeDescriptor(Thread* t, int from)
        {
            for (int fd = from; fd < LinuxState.Files; fd++)
                if (t->Process->Linux->File(fd)->Kind == FileKind.None) return fd;
            return -1;
        }

        public static long Pipe2(Thread* t, ulong fds, ulong flags)
        {
            if ((flags & ~(ulong)(O_NONBLOCK | O_CLOEXEC)) != 0) return -Errno.EINVAL;
            if (!UserMemory.Accessible(t->Process, fds, 8, write: true)) return -Errno.EFAULT;
            int r = FreeDescriptor(t, 0);
            if (r < 0) return -Errno.EMFILE;
            FileDescriptor* read = t->Process->Linux->File(r);
            read->Kind = FileKind.PipeRead;             // reserve it while looking for the second
            int w = FreeDescriptor(t, 0);
            if (w < 0) { read->Kind = FileKind.None; return -Errno.EMFILE; }
            Pipe* p = Pipe.New();
            if (p == null) { read->Kind = FileKind.None; return -Errno.ENFILE; }
            FileDescriptor* write = t->Process->Linux->File(w);
            write->Kind = FileKind.PipeWrite;
            read->Pipe = write->Pipe = p;
            read->CloseOnExec = write->CloseOnExec = (flags & O_CLOEXEC) != 0;
            read->NonBlocking = write->NonBlocking = (flags & O_NONBLOCK) != 0;
            int* pair = stackalloc int[2];
            pair[0] = r;
            pair[1] = w;
            return UserMemory.CopyOut(t->Process, fds, (byte*)pair, 8);
        }

        private static long Duplicate(Thread* t, FileDescriptor* f, int target, bool closeOnExec)
        {
            FileDescriptor* d = t->Process->Linux->File(target);
            if (d->Kind != FileKind.None) Release(d);
            *d = *f;
            d->CloseOnExec = closeOnExec;
            if (d->Kind == FileKind.PipeRead) d->Pipe->Readers++;
            if (d->Kind == FileKind.PipeWrite) d->Pipe->Writers++;
            return target;
        }

        public static long Dup(Thread* t, ulong fd)
        {
            FileDescriptor* f = Lookup(t, fd);
            if (f == null) return -Errno.EBADF;
            int target = FreeDescriptor(t, 0);
            return target < 0 ? -Errno.EMFILE : Duplicate(t, f, target, false);
        }

        public static long Dup3(Thread* t, ulong fd, ulong target, ulong flags)
        {
            FileDescriptor* f = Lookup(t, fd);
            if (f == null || target >= LinuxState.Files) return -Errno.EBADF;
            if (fd == target || (flags & ~(ulong)O_CLOEXEC) != 0) return -Errno.EINVAL;
            return Duplicate(t, f, (int)target, (flags & O_CLOEXEC) != 0);
        }

        public static long Fcntl(Thread* t, ulong fd, ulong command, ulong argument)
        {
            FileDescriptor* f = Lookup(t, fd);
            if (f == null) return -Errno.EBADF;
            switch ((int)command)
            {
                case F_DUPFD:
                case F_DUPFD_CLOEXEC:
                {
                    if (argument >= LinuxState.Files) return -Errno.EINVAL;
                    int target = FreeDescriptor(t, (int)argument);
                    return target < 0 ? -Errno.EMFILE : Duplicate(t, f, target, (int)command == F_DUPFD_CLOEXEC);
                }
                case F_GETFD: return f->CloseOnExec ? FD_CLOEXEC : 0;
                case F_SETFD: f->CloseOnExec = (argument & FD_CLOEXEC) != 0; return 0;
                case F_GETFL: return (f->Kind == FileKind.PipeWrite ? 1 : 0) | (f->NonBlocking ? O_NONBLOCK : 0);
                case F_SETFL: f->NonBlocking = (argument & O_NONBLOCK) != 0; return 0;
                default: return -Errno.EINVAL;
            }
        }

        // Only FIONBIO is meaningful here; the console is not a terminal (ENOTTY).
        public static long Ioctl(Thread* t, ulong fd, ulong request, ulong argument)
        {
            FileDescriptor* f = Lookup(t, fd);
            if (f == null) return -Errno.EBADF;
            const ulong FIONBIO = 0x5421;
            if (request == FIONBIO)
            {
                uint on;
                if (UserMemory.CopyIn(t->Process, (byte*)&on, argument, 4) != 0) return -Errno.EFAULT;
                f->NonBlocking = on != 0;
                return 0;
            }
            return -Errno.ENOTTY;
        }
    }
}
