// An intrusive FIFO of threads (through Thread.Next): run queues and every wait queue. A thread
// is on at most one queue; Thread.Queue says which, so removal (timeout, death) is O(length).
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Ipc
{
    public unsafe struct ThreadQueue
    {
        public Thread* Head;
        public Thread* Tail;

        public bool IsEmpty => Head == null;

        public void Enqueue(Thread* t)
        {
            fixed (ThreadQueue* self = &this)
            {
                t->Next = null;
                t->Queue = self;
                if (Tail == null) Head = t; else Tail->Next = t;
                Tail = t;
            }
        }

        public Thread* Dequeue()
        {
            Thread* t = Head;
            if (t == null) return null;
            Head = t->Next;
            if (Head == null) Tail = null;
            t->Next = null;
            t->Queue = null;
            return t;
        }

        public void Remove(Thread* t)
        {
            Thread* previous = null;
            for (Thread* c = Head; c != null; previous = c, c = c->Next)
            {
                if (c != t) continue;
                if (previous == null) Head = c->Next; else previous->Next = c->Next;
                if (Tail == c) Tail = previous;
                c->Next = null;
                c->Queue = null;
                return;
            }
        }
    }
}
