// Console input: the bytes typed on the serial console, for the one process that holds the Console
// capability (type 9). The device manager's holder (init) claims it once with console_claim and
// hands copies to the server its manifest marks `console` (posix, whose reader thread owns the
// call); no other process can read the console.
//   console_claim (0x86A): device manager (Control) -> Console handle; the UART's receive
//     interrupt is enabled and IRQ 4 unmasked from then on (before, typed bytes wait in the UART).
//   console_read (0x86B): up to `length` bytes (at most ReadChunk per call); blocks like notify_wait
//     (timeout 0: EAGAIN at once; ~0: forever) and does not hold up any other thread.
//   console_stats (0x86C): received, dropped and buffered byte counts.
// A blocked reader is woken by the interrupt with Blocking.Restart: the call runs again and copies
// then, in its own address space (so the interrupt never touches user memory). Several readers may
// wait; each byte goes to exactly one of them.
// Ownership: the kernel is single-threaded with interrupts off; s_ring and s_readers are touched
// only from system calls and the IRQ 4 handler.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Devices
{
    internal static unsafe class ConsoleInput
    {
        public const int Irq = SerialInput.Irq;
        public const int ReadChunk = 256;            // bytes per console_read (copied through the kernel stack)

        private static ConsoleRing s_ring;          // typed bytes not yet read
        private static ThreadQueue s_readers;       // threads blocked in console_read
        private static bool s_claimed;              // console_claim succeeded once: input is on

        // console_claim(manager): the Console capability (Control, Transfer, Duplicate); EBUSY the second time.
        public static long Claim(Thread* t, ulong manager)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, manager, CapabilityType.DeviceManager, Rights.Control, out c);
            if (error != 0) return error;
            if (s_claimed) return -Errno.EBUSY;
            uint h = t->Process->HandleTable->Insert(CapabilityType.Console, Rights.Control | Rights.Transfer | Rights.Duplicate, null, 0);
            if (h == 0) return -Errno.EMFILE;
            s_claimed = true;
            SerialInput.EnableReceiveInterrupt();
            Pic.Unmask(Irq);
            return h;
        }

        // console_read(console, buffer, length, timeout): bytes copied (>= 1), 0 for length 0.
        public static long Read(Thread* t, ulong console, ulong buffer, ulong length, ulong timeout)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, console, CapabilityType.Console, Rights.Control, out c);
            if (error != 0) return error;
            if (length == 0) return 0;
            byte* chunk = stackalloc byte[ReadChunk];
            fixed (ConsoleRing* ring = &s_ring)
            {
                SerialInput.Drain(ring);             // bytes whose interrupt is still to come
                int n = ring->Peek(chunk, length < ReadChunk ? (int)length : ReadChunk);
                if (n > 0)
                {
                    error = UserMemory.CopyOut(t->Process, buffer, chunk, (ulong)n);
                    if (error != 0) return error;    // nothing consumed: the bytes stay for the next read
                    ring->Discard(n);
                    return n;
                }
            }
            if (timeout == 0) return -Errno.EAGAIN;
            fixed (ThreadQueue* readers = &s_readers)
                Blocking.Block(t, ThreadState.BlockedNotification, readers, null, Timeouts.DeadlineFor(timeout));
            return 0;                                // replaced by the wake-up: a restart, or ETIMEDOUT
        }

        // console_stats(console, buffer): three u64 — bytes received, dropped, buffered now.
        public static long Stats(Thread* t, ulong console, ulong buffer)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, console, CapabilityType.Console, Rights.Control, out c);
            if (error != 0) return error;
            ulong* figures = stackalloc ulong[3];
            figures[0] = s_ring.Received;
            figures[1] = s_ring.Dropped;
            figures[2] = (ulong)s_ring.Count;
            return UserMemory.CopyOut(t->Process, buffer, (byte*)figures, 24);
        }

        // IRQ 4 (from IrqLines.Deliver; the caller sends the EOI): drain the UART, wake every reader.
        public static void OnInterrupt()
        {
            fixed (ConsoleRing* ring = &s_ring) SerialInput.Drain(ring);
            if (s_ring.Count == 0) return;
            fixed (ThreadQueue* readers = &s_readers)
            {
                Thread* reader;
                while ((reader = readers->Head) != null) Blocking.Wake(reader, Blocking.Restart);
            }
        }
    }
}
