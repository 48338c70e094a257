// A notification: a word of 63 event bits that signal ORs in and wait/poll collect and clear —
// the kernel's asynchronous channel (interrupts, process deaths, events between servers).
// Signal never blocks; wait blocks (with a timeout) until some bit is set. Bit 63 is not usable
// (results are returned in RAX, where negative values are errors).
// Ownership: notifications live in the Notifications pool; Handles counts capabilities plus
// internal references (IRQ bindings, process death watches).
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Ipc
{
    public unsafe struct Notification
    {
        public const ulong UsableBits = 0x7FFF_FFFF_FFFF_FFFF;

        public ulong Id;
        public int Handles;
        public ulong Bits;
        public ThreadQueue Waiters;

        public static void Signal(Notification* n, ulong bits)
        {
            n->Bits |= bits & UsableBits;
            if (n->Bits == 0) return;
            Thread* waiter = n->Waiters.Head;
            if (waiter == null) return;
            ulong delivered = n->Bits;
            n->Bits = 0;
            Blocking.Wake(waiter, (long)delivered);
        }

        public static long Wait(Thread* t, Notification* n, ulong wakeTick, bool mayBlock)
        {
            if (n->Bits != 0)
            {
                ulong bits = n->Bits;
                n->Bits = 0;
                return (long)bits;
            }
            if (!mayBlock) return 0;
            Blocking.Block(t, ThreadState.BlockedNotification, &n->Waiters, n, wakeTick);
            return 0;
        }

        public static void FailAll(Notification* n, long error)
        {
            Thread* t;
            while ((t = n->Waiters.Head) != null) Blocking.Wake(t, error);
        }
    }
}
