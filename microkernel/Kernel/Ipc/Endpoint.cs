// A synchronous IPC endpoint, seL4 style: senders and receivers rendezvous; nothing is buffered
// in the kernel. `call` sends and waits for the reply from the thread that receives it; that
// thread owes exactly one reply (Thread.ReplyTo) which `reply`/`reply_recv` delivers.
// The endpoint outlives its server: when the process that receives on it (Owner) dies, callers
// queued on it and callers waiting for its replies fail at once with EOWNERDEAD, and a restarted
// server that holds the endpoint takes it over by receiving on it.
// Ownership: endpoints live in the Endpoints pool; Handles counts the capabilities naming it; when
// it drops to zero the endpoint is freed and any queued thread fails with EBADF.
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Ipc
{
    public unsafe struct Endpoint
    {
        public ulong Id;
        public int Handles;
        public Process* Owner;            // the process receiving on it, if any
        public ulong OwnerId;             // Owner is valid only while its Id equals this
        public bool Orphaned;             // its owner died and no process has received on it since
        public ThreadQueue Senders;       // BlockedSend threads (call or send)
        public ThreadQueue Receivers;     // BlockedReceive threads

        public static long Call(Thread* caller, Endpoint* ep, ulong badge, ulong wakeTick)
        {
            // A page fault sent to the pager carries the kernel's message, not the buffer's (MessageTransfer.Copy).
            long error = caller->PagerFault ? 0 : MessageTransfer.Validate(caller);
            if (error != 0) return error;
            Thread* receiver = ep->Receivers.Dequeue();
            if (receiver != null)
            {
                Deliver(caller, receiver, badge, isCall: true);
                Blocking.Block(caller, ThreadState.BlockedReply, null, ep, wakeTick);
                return 0;
            }
            caller->IsCall = true;
            caller->SendBadge = badge;
            Blocking.Block(caller, ThreadState.BlockedSend, &ep->Senders, ep, wakeTick);
            return 0;
        }

        public static long Send(Thread* sender, Endpoint* ep, ulong badge, ulong wakeTick, bool mayBlock)
        {
            long error = MessageTransfer.Validate(sender);
            if (error != 0) return error;
            Thread* receiver = ep->Receivers.Dequeue();
            if (receiver != null)
            {
                Deliver(sender, receiver, badge, isCall: false);
                return 0;
            }
            if (!mayBlock) return -Errno.EAGAIN;
            sender->IsCall = false;
            sender->SendBadge = badge;
            Blocking.Block(sender, ThreadState.BlockedSend, &ep->Senders, ep, wakeTick);
            return 0;
        }

        public static long Receive(Thread* receiver, Endpoint* ep, ulong wakeTick, bool mayBlock)
        {
            Process* p = receiver->Process;
            ep->Owner = p;
            ep->OwnerId = p->Id;
            ep->Orphaned = false;
            AbandonReply(receiver);
            receiver->ReplyAbandoned = false;
            Thread* sender = ep->Senders.Dequeue();
            if (sender != null)
            {
                MessageTransfer.Copy(sender, receiver, sender->SendBadge);
                if (sender->IsCall)
                {
                    // Now waiting for the reply; its deadline (if any) stays armed for the whole call.
                    receiver->ReplyTo = sender;
                    sender->ServedBy = receiver;
                    sender->State = ThreadState.BlockedReply;
                }
                else Blocking.Wake(sender, 0);
                return 0;
            }
            if (!mayBlock) return -Errno.EAGAIN;
            Blocking.Block(receiver, ThreadState.BlockedReceive, &ep->Receivers, ep, wakeTick);
            return 0;
        }

        // Delivers the current thread's message as the reply its last received call waits for.
        // Returns -ESRCH if it owes none (never received a call, or the caller gave up or died).
        public static long Reply(Thread* server)
        {
            Thread* caller = server->ReplyTo;
            if (caller == null) return -Errno.ESRCH;
            long error = MessageTransfer.Validate(server);
            if (error != 0) return error;
            server->ReplyTo = null;
            caller->ServedBy = null;
            if (!caller->PagerFault) MessageTransfer.Copy(server, caller, 0);   // a faulting thread has no reply to read
            if (server->Process->Injections != 0) Processes.FaultInjection.AfterReply(server, caller);
            Blocking.Wake(caller, 0);
            return 0;
        }

        private static void Deliver(Thread* from, Thread* receiver, ulong badge, bool isCall)
        {
            MessageTransfer.Copy(from, receiver, badge);
            if (isCall)
            {
                receiver->ReplyTo = from;
                from->ServedBy = receiver;
            }
            Blocking.Wake(receiver, 0);
        }

        // A server that receives again without replying abandons its previous caller, who
        // fails with ECANCELED rather than waiting forever.
        private static void AbandonReply(Thread* server)
        {
            Thread* caller = server->ReplyTo;
            if (caller == null) return;
            server->ReplyTo = null;
            caller->ServedBy = null;
            Blocking.Wake(caller, -Errno.ECANCELED);
        }

        // The owner died: every thread queued to send, and every caller waiting for a reply from
        // one of its threads (handled in ThreadControl.Destroy), fails with EOWNERDEAD.
        public static void OwnerDied(Endpoint* ep)
        {
            ep->Owner = null;
            ep->OwnerId = 0;
            ep->Orphaned = true;
            Thread* t;
            while ((t = ep->Senders.Head) != null)
                Blocking.Wake(t, -Errno.EOWNERDEAD);
        }

        // No capability names it any more: fail whoever is still queued.
        public static void FailAll(Endpoint* ep, long error)
        {
            Thread* t;
            while ((t = ep->Senders.Head) != null) Blocking.Wake(t, error);
            while ((t = ep->Receivers.Head) != null) Blocking.Wake(t, error);
        }
    }
}
