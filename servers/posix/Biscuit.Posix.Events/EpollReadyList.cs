// EpollReadyList: the ready list of an epoll instance, an intrusive doubly linked FIFO of registrations
// (Linux's rdllist). Taking from the head and putting level-triggered registrations back at the tail is
// what makes reporting round robin: one busy fd cannot starve the others (epoll(7), "starvation").
// Invariant: a registration is linked here exactly when its Queued flag is set. Guarded by the owner's gate;
// nothing here allocates.
namespace Biscuit.Posix.Events;

internal sealed class EpollReadyList
{
    private EpollRegistration? _head; // owner's gate
    private EpollRegistration? _tail; // owner's gate

    public bool IsEmpty => _head is null;
    public EpollRegistration? Head => _head;

    public void Append(EpollRegistration item)
    {
        item.Next = null;
        item.Previous = _tail;
        if (_tail is null) _head = item; else _tail.Next = item;
        _tail = item;
        item.Queued = true;
    }

    public void Remove(EpollRegistration item)
    {
        if (!item.Queued) return;
        if (item.Previous is null) _head = item.Next; else item.Previous.Next = item.Next;
        if (item.Next is null) _tail = item.Previous; else item.Next.Previous = item.Previous;
        item.Previous = item.Next = null;
        item.Queued = false;
    }

    /// <summary>Unlinks the whole list and returns its first element; the chain keeps its Next links.</summary>
    public EpollRegistration? DetachAll()
    {
        var first = _head;
        _head = _tail = null;
        return first;
    }

    /// <summary>Puts a detached chain (linked by Next) back in front, in its order: Linux's ep_done_scan.</summary>
    public void PrependChain(EpollRegistration first)
    {
        EpollRegistration last = first;
        first.Previous = null;
        first.Queued = true;
        while (last.Next is not null)
        {
            last.Next.Previous = last;
            last = last.Next;
            last.Queued = true;
        }
        last.Next = _head;
        if (_head is null) _tail = last; else _head.Previous = last;
        _head = first;
    }
}
