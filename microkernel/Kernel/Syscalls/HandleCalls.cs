// handle_dup, handle_close, handle_info; and the one way system calls look handles up.
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class HandleCalls
    {
        // Handles are 32-bit; a wider value is never valid (it must not alias by truncation).
        public static long Lookup(Thread* t, ulong handle, CapabilityType type, uint rights, out Capability* c)
        {
            c = null;
            if (handle > uint.MaxValue) return -Errno.EBADF;
            return t->Process->HandleTable->Lookup((uint)handle, type, rights, out c);
        }

        // A copy of a handle with `rights` (a subset of the original's) and, for an unbadged
        // endpoint capability, a badge the receiver will see (seL4's "mint").
        public static long Duplicate(Thread* t, ulong handle, ulong rights, ulong badge)
        {
            Capability* c;
            long error = Lookup(t, handle, CapabilityType.None, Rights.Duplicate, out c);
            if (error != 0) return error;
            if ((rights & ~(ulong)c->Rights) != 0) return -Errno.EPERM;
            ulong newBadge = c->Badge;
            if (badge != 0)
            {
                if (c->Type != CapabilityType.Endpoint || c->Badge != 0) return -Errno.EPERM;
                newBadge = badge;
            }
            uint h = t->Process->HandleTable->Insert(c->Type, (uint)rights, c->Object, newBadge);
            if (h == 0) return -Errno.EMFILE;
            KernelObjects.Retain(c->Type, c->Object);
            return h;
        }

        public static long Close(Thread* t, ulong handle) => CloseTyped(t, handle, CapabilityType.None);

        public static long CloseTyped(Thread* t, ulong handle, CapabilityType type)
        {
            Capability* c;
            long error = Lookup(t, handle, type, 0, out c);
            if (error != 0) return error;
            Capability removed;
            t->Process->HandleTable->Remove((uint)handle, out removed);
            KernelObjects.Release(removed.Type, removed.Object);
            return 0;
        }

        public static long Info(Thread* t, ulong handle)
        {
            Capability* c;
            long error = Lookup(t, handle, CapabilityType.None, 0, out c);
            if (error != 0) return error;
            return (long)c->Type | ((long)c->Rights << 8);
        }
    }
}
