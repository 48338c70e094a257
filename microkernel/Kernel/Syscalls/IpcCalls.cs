// endpoint_create, ipc_call/send/recv/reply_recv, notification_create, notify_signal/wait/poll.
// Timeouts are in milliseconds: 0 means "do not block" (EAGAIN or, for poll, 0), ~0 forever.
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class IpcCalls
    {
        public static long CreateEndpoint(Thread* t)
        {
            Endpoint* ep = KernelObjects.NewEndpoint();
            if (ep == null) return -Errno.ENOMEM;
            uint h = t->Process->HandleTable->Insert(CapabilityType.Endpoint, Rights.Send | Rights.Receive | Rights.Transfer | Rights.Duplicate, ep, 0);
            if (h == 0) { KernelObjects.Release(CapabilityType.Endpoint, ep); return -Errno.EMFILE; }
            return h;
        }

        public static long CreateNotification(Thread* t)
        {
            Notification* n = KernelObjects.NewNotification();
            if (n == null) return -Errno.ENOMEM;
            uint h = t->Process->HandleTable->Insert(CapabilityType.Notification, Rights.Signal | Rights.Wait | Rights.Transfer | Rights.Duplicate, n, 0);
            if (h == 0) { KernelObjects.Release(CapabilityType.Notification, n); return -Errno.EMFILE; }
            return h;
        }

        private static long EndpointOf(Thread* t, ulong handle, uint rights, out Capability* c) =>
            HandleCalls.Lookup(t, handle, CapabilityType.Endpoint, rights, out c);

        public static long Call(Thread* t, ulong handle, ulong timeout)
        {
            Capability* c;
            long error = EndpointOf(t, handle, Rights.Send, out c);
            if (error != 0) return error;
            if (timeout == 0) return -Errno.EINVAL;    // a call always waits for its reply
            t->Process->IpcCalls++;
            return Endpoint.Call(t, (Endpoint*)c->Object, c->Badge, Timeouts.DeadlineFor(timeout));
        }

        public static long Send(Thread* t, ulong handle, ulong timeout)
        {
            Capability* c;
            long error = EndpointOf(t, handle, Rights.Send, out c);
            if (error != 0) return error;
            return Endpoint.Send(t, (Endpoint*)c->Object, c->Badge, Timeouts.DeadlineFor(timeout), timeout != 0);
        }

        public static long Receive(Thread* t, ulong handle, ulong timeout)
        {
            Capability* c;
            long error = EndpointOf(t, handle, Rights.Receive, out c);
            if (error != 0) return error;
            return Endpoint.Receive(t, (Endpoint*)c->Object, Timeouts.DeadlineFor(timeout), timeout != 0);
        }

        // Replies to the last call received (if the caller is still waiting), then receives.
        public static long ReplyReceive(Thread* t, ulong handle, ulong timeout)
        {
            Capability* c;
            long error = EndpointOf(t, handle, Rights.Receive, out c);
            if (error != 0) return error;
            if (t->ReplyTo != null)
            {
                error = Endpoint.Reply(t);
                if (error != 0) return error;
            }
            return Endpoint.Receive(t, (Endpoint*)c->Object, Timeouts.DeadlineFor(timeout), timeout != 0);
        }

        public static long Signal(Thread* t, ulong handle, ulong bits)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, handle, CapabilityType.Notification, Rights.Signal, out c);
            if (error != 0) return error;
            if ((bits & ~Notification.UsableBits) != 0 || bits == 0) return -Errno.EINVAL;
            Notification.Signal((Notification*)c->Object, bits);
            return 0;
        }

        public static long Wait(Thread* t, ulong handle, ulong timeout, bool mayBlock)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, handle, CapabilityType.Notification, Rights.Wait, out c);
            if (error != 0) return error;
            if (mayBlock && timeout == 0) mayBlock = false;
            return Notification.Wait(t, (Notification*)c->Object, Timeouts.DeadlineFor(timeout), mayBlock);
        }
    }
}
