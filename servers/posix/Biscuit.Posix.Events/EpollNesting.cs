// EpollNesting: the rules for an epoll instance inside another (epoll(7) "nested"; fs/eventpoll.c
// ep_loop_check): adding must not create a loop, and the longest chain of instances through the new edge
// may have at most EPOLL_MAX_NESTS (4) edges; otherwise epoll_ctl fails with ELOOP.
// The nesting graph (each instance's NestedChildren and NestedParents lists) is guarded by Lock. Edges are
// added under Lock together with the registration, and removed under Lock after it; so while Lock is held the
// graph holds every real edge (and at most some already deleted ones), and no loop can slip through.
// Lock order: EpollNesting.Lock, then an instance's scan lock.
namespace Biscuit.Posix.Events;

internal static class EpollNesting
{
    public static readonly object Lock = new();

    /// <summary>True when adding <paramref name="child"/> into <paramref name="parent"/> must fail with ELOOP. Caller holds Lock.</summary>
    public static bool WouldLoopOrNestTooDeep(EpollInstance parent, EpollInstance child)
    {
        int below = DepthBelow(child, parent, 0);
        if (below < 0 || below > EpollConstants.MaxNesting) return true;
        int above = DepthAbove(parent, 0);
        return below + 1 + above > EpollConstants.MaxNesting;
    }

    /// <summary>Records the edge parent -> child. Caller holds Lock.</summary>
    public static void Link(EpollInstance parent, EpollInstance child)
    {
        parent.NestedChildren.Add(child);
        child.NestedParents.Add(parent);
    }

    /// <summary>Forgets one edge parent -> child.</summary>
    public static void Unlink(EpollInstance parent, EpollInstance child)
    {
        lock (Lock)
        {
            parent.NestedChildren.Remove(child);
            child.NestedParents.Remove(parent);
        }
    }

    // Longest chain of edges below `instance`, or -1 if `forbidden` is reachable (a loop). Stops early past the limit.
    private static int DepthBelow(EpollInstance instance, EpollInstance forbidden, int depth)
    {
        if (depth > EpollConstants.MaxNesting) return depth;
        int deepest = depth;
        foreach (var child in instance.NestedChildren)
        {
            if (ReferenceEquals(child, forbidden)) return -1;
            int d = DepthBelow(child, forbidden, depth + 1);
            if (d < 0) return -1;
            if (d > deepest) deepest = d;
        }
        return deepest;
    }

    // Longest chain of edges above `instance` (instances that contain it). The graph has no loops.
    private static int DepthAbove(EpollInstance instance, int depth)
    {
        if (depth > EpollConstants.MaxNesting) return depth;
        int highest = depth;
        foreach (var parent in instance.NestedParents)
        {
            int d = DepthAbove(parent, depth + 1);
            if (d > highest) highest = d;
        }
        return highest;
    }
}
