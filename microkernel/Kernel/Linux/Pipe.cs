// A kernel pipe: a 4 KiB ring buffer with reader and writer counts and wait queues. It exists for
// the .NET runtime's signal pipe and console plumbing inside servers; applications' pipes belong
// to `posix`. Semantics follow pipe(7): reads block while empty and writers remain (EAGAIN when
// non-blocking, 0 at end of file); writes of at most PIPE_BUF bytes are atomic; writing with no
// reader is EPIPE. Blocked readers and writers can be interrupted by a signal (EINTR).
// Ownership: pipes live in the Pipes pool; freed when both ends are closed.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Linux
{
    public unsafe struct Pipe
    {
        public const int Capacity = 4096, AtomicWrite = 4096;

        public int Readers, Writers;      // open ends
        public int Head, Count;           // ring buffer: data at [Head, Head+Count) mod Capacity
        public ThreadQueue WaitingReaders, WaitingWriters;
        public fixed byte Data[Capacity];

        public static Pipe* New()
        {
            Pipe* p = (Pipe*)BootMemory.Pool(PoolKind.Pipes)->Take();
            if (p == null) return null;
            p->Readers = 1;
            p->Writers = 1;
            return p;
        }

        // Copies up to `length` bytes out to user `buffer`. Returns bytes read, 0 at end of file,
        // -EAGAIN if empty and non-blocking, or blocks (result written on wake-up).
        public static long Read(Thread* t, Pipe* p, ulong buffer, ulong length, bool nonBlocking)
        {
            if (length == 0) return 0;
            if (p->Count == 0)
            {
                if (p->Writers == 0) return 0;
                if (nonBlocking) return -Errno.EAGAIN;
                t->Interruptible = true;
                Blocking.Block(t, ThreadState.BlockedPipe, &p->WaitingReaders, p, 0);
                return 0;   // woken with Blocking.Restart: the read runs again

            }
            ulong n = length < (ulong)p->Count ? length : (ulong)p->Count;
            for (ulong done = 0; done < n;)
            {
                int at = (p->Head + (int)done) % Capacity;
                ulong chunk = (ulong)(Capacity - at);
                if (chunk > n - done) chunk = n - done;
                long r = UserMemory.CopyOut(t->Process, buffer + done, p->Data + at, chunk);
                if (r != 0) return done > 0 ? (long)done : r;
                done += chunk;
            }
            p->Head = (p->Head + (int)n) % Capacity;
            p->Count -= (int)n;
            WakeAll(&p->WaitingWriters);
            return (long)n;
        }

        public static long Write(Thread* t, Pipe* p, ulong buffer, ulong length, bool nonBlocking)
        {
            if (p->Readers == 0) return -Errno.EPIPE;
            if (length == 0) return 0;
            ulong space = (ulong)(Capacity - p->Count);
            bool atomic = length <= AtomicWrite;
            if (space == 0 || (atomic && space < length))
            {
                if (nonBlocking) return -Errno.EAGAIN;
                t->Interruptible = true;
                Blocking.Block(t, ThreadState.BlockedPipe, &p->WaitingWriters, p, 0);
                return 0;
            }
            ulong n = length < space ? length : space;
            for (ulong done = 0; done < n;)
            {
                int at = (p->Head + p->Count) % Capacity;
                ulong chunk = (ulong)(Capacity - at);
                if (chunk > n - done) chunk = n - done;
                long r = UserMemory.CopyIn(t->Process, p->Data + at, buffer + done, chunk);
                if (r != 0) return done > 0 ? (long)done : r;
                p->Count += (int)chunk;
                done += chunk;
            }
            WakeAll(&p->WaitingReaders);
            return (long)n;
        }

        public static void CloseEnd(Pipe* p, bool writeEnd)
        {
            if (writeEnd) p->Writers--; else p->Readers--;
            WakeAll(&p->WaitingReaders);
            WakeAll(&p->WaitingWriters);
            if (p->Readers == 0 && p->Writers == 0)
                BootMemory.Pool(PoolKind.Pipes)->Give((byte*)p);
        }

        // Woken readers and writers run their system call again and find the new state.
        private static void WakeAll(ThreadQueue* q)
        {
            Thread* t;
            while ((t = q->Head) != null) Blocking.Wake(t, Blocking.Restart);
        }
    }
}
