// Moving a message from one thread's IPC buffer to another's, with the handles it carries.
// Validate runs before the sender commits to anything (so a malformed message is an error to its
// sender and nothing moves); Copy then cannot fail: a handle the receiver's full table cannot
// take is counted in Dropped instead of failing a rendezvous already made.
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Ipc
{
    public static unsafe class MessageTransfer
    {
        public static MessageHeader* HeaderOf(Thread* t) => (MessageHeader*)t->IpcBuffer;

        public static long Validate(Thread* sender)
        {
            MessageHeader* m = HeaderOf(sender);
            if (m->Length > MessageHeader.MaxPayload) return -Errno.EMSGSIZE;
            if (m->HandleCount > MessageHeader.MaxHandles) return -Errno.EINVAL;
            for (int i = 0; i < (int)m->HandleCount; i++)
            {
                Capability* c;
                long error = sender->Process->HandleTable->Lookup(m->Handles[i], CapabilityType.None, Rights.Transfer, out c);
                if (error != 0) return error;
            }
            return 0;
        }

        public static void Copy(Thread* from, Thread* to, ulong badge)
        {
            if (from->PagerFault)
            {
                // A page fault for the pager (Memory/PagerFaults.cs): the kernel's message goes straight
                // into the pager's buffer; the application's own IPC buffer page is left alone.
                Memory.PagerFaults.WriteMessage(from, HeaderOf(to));
                HeaderOf(to)->Badge = badge;
                HeaderOf(to)->Dropped = 0;
                Memory.PagerCensus.Delivered(to);
                return;
            }
            if (from->Forwarding) Linux.Forwarding.Fill(from);   // the kernel's message, not the page's current bytes
            MessageHeader* src = HeaderOf(from);
            MessageHeader* dst = HeaderOf(to);
            dst->Label = src->Label;
            dst->Length = src->Length;
            dst->Badge = badge;
            dst->Dropped = 0;
            Internal.Runtime.Memory.Move((byte*)dst + MessageHeader.HeaderBytes, (byte*)src + MessageHeader.HeaderBytes, src->Length);
            uint delivered = 0;
            for (int i = 0; i < (int)src->HandleCount; i++)
            {
                Capability* c;
                if (from->Process->HandleTable->Lookup(src->Handles[i], CapabilityType.None, Rights.Transfer, out c) != 0)
                {
                    dst->Dropped++;
                    continue;
                }
                uint handle = to->Process->HandleTable->Insert(c->Type, c->Rights, c->Object, c->Badge);
                if (handle == 0) { dst->Dropped++; continue; }
                KernelObjects.Retain(c->Type, c->Object);
                dst->Handles[delivered++] = handle;
            }
            dst->HandleCount = delivered;
        }
    }
}
