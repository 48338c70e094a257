// The abstract value the IL interpreter keeps for each stack slot, local and argument:
//   Nodes     the allocation nodes of this frame (or the frame's parameters) the value may point to;
//   Untracked it may also be something this frame did not allocate (a field of a long-lived object,
//             a static, a result of a call that returns existing objects): storing into it is an escape;
//   Bound     an upper bound: for an integer its greatest value, for a string/array/collection its
//             greatest length or count (null: unknown); Exact marks a known constant;
//   Slots     for an address, the locals (>= 0) and arguments (< 0: -1 - index) it may point to, so
//             loads and stores through it reach those variables (empty: not the address of a variable).
// Values are immutable; Join is the least upper bound used at control-flow merges.
using System.Collections.Immutable;

namespace Biscuit.MaxLive.Analysis;

public sealed class AbstractValue
{
    public ImmutableSortedSet<int> Nodes { get; }
    public bool Untracked { get; }
    public long? Bound { get; }
    public bool Exact { get; }
    public ImmutableSortedSet<int> Slots { get; }

    public AbstractValue(ImmutableSortedSet<int> nodes, bool untracked, long? bound = null, bool exact = false, ImmutableSortedSet<int>? slots = null)
    {
        Nodes = nodes;
        Untracked = untracked;
        Bound = bound;
        Exact = exact && bound != null;
        Slots = slots ?? ImmutableSortedSet<int>.Empty;
    }

    public static readonly AbstractValue Nothing = new(ImmutableSortedSet<int>.Empty, false);
    public static readonly AbstractValue Unknown = new(ImmutableSortedSet<int>.Empty, true);

    public static AbstractValue Constant(long value) => new(ImmutableSortedSet<int>.Empty, false, value, exact: true);
    public static AbstractValue Bounded(long? bound) => new(ImmutableSortedSet<int>.Empty, false, bound);
    public static AbstractValue Of(int node, long? bound = null) => new(ImmutableSortedSet.Create(node), false, bound);
    public static AbstractValue AddressOf(int slot) => new(ImmutableSortedSet<int>.Empty, false, slots: ImmutableSortedSet.Create(slot));

    public AbstractValue WithBound(long? bound, bool exact = false) => new(Nodes, Untracked, bound, exact, Slots);
    public AbstractValue WithUntracked() => new(Nodes, true, Bound, Exact, Slots);

    /// <summary>The same value without its variable addresses.</summary>
    public AbstractValue WithoutSlots() => Slots.IsEmpty ? this : new(Nodes, Untracked, Bound, Exact);

    public static AbstractValue Join(AbstractValue a, AbstractValue b)
    {
        if (ReferenceEquals(a, b)) return a;
        long? bound = a.Bound is { } x && b.Bound is { } y ? Math.Max(x, y) : null;
        bool exact = a.Exact && b.Exact && a.Bound == b.Bound;
        return new AbstractValue(a.Nodes.Union(b.Nodes), a.Untracked || b.Untracked, bound, exact, a.Slots.Union(b.Slots));
    }

    public bool SameAs(AbstractValue other) =>
        Untracked == other.Untracked && Bound == other.Bound && Exact == other.Exact && Slots.SetEquals(other.Slots) && Nodes.SetEquals(other.Nodes);
}
