// The flow-insensitive facts the interpreter gathers about one frame, and the escape
// classification computed from them. Facts only grow (the fixpoint in MethodFlow relies on it):
//   Locals/Args  union of every value stored into each variable;
//   Contents     union of every value stored into each node's fields or elements (a load from a
//                parameter's object yields the parameter itself: "something reachable from it");
//   ContainedIn  child -> containers: the child is reachable from the container;
//   Escaping     nodes stored into statics, into untracked objects, or thrown;
//   Returning    nodes the method returns.
// Classification (Classify): a node's fate is its own facts joined with the fates of every
// container it is stored in; a container that is parameter j gives "stored into argument j".
namespace Biscuit.MaxLive.Analysis;

public sealed class FrameFacts
{
    public AbstractValue[] Locals { get; }
    public AbstractValue[] Args { get; }
    public Dictionary<int, AbstractValue> Contents { get; } = new();
    public Dictionary<int, HashSet<int>> ContainedIn { get; } = new();
    public HashSet<int> Escaping { get; } = new();
    public HashSet<int> Returning { get; } = new();
    /// <summary>Nodes handed to code that may do anything with them (an analysed callee, a non-receiver library argument).</summary>
    public HashSet<int> PassedAway { get; } = new();
    /// <summary>Set whenever a fact grows; MethodFlow iterates until a pass leaves it false.</summary>
    public bool Changed { get; set; }

    private readonly List<Node> _nodes;

    public FrameFacts(int locals, AbstractValue[] args, List<Node> nodes)
    {
        Locals = Enumerable.Repeat(AbstractValue.Nothing, locals).ToArray();
        Args = args;
        _nodes = nodes;
    }

    public AbstractValue ReadSlot(int slot) => slot >= 0 ? Locals[slot] : Args[-1 - slot];

    public void WriteSlot(int slot, AbstractValue value)
    {
        var current = ReadSlot(slot);
        var joined = AbstractValue.Join(current, value);
        if (joined.SameAs(current)) return;
        if (slot >= 0) Locals[slot] = joined; else Args[-1 - slot] = joined;
        Changed = true;
    }

    /// <summary>
    /// The value an address or object denotes for the purpose of fates: the address of a variable
    /// denotes what the variable holds (following ref locals that hold addresses of other variables).
    /// </summary>
    public AbstractValue Resolve(AbstractValue value)
    {
        var result = value.WithoutSlots();
        var seen = new HashSet<int>();
        var work = new Stack<int>(value.Slots);
        while (work.Count > 0)
        {
            var slot = work.Pop();
            if (!seen.Add(slot)) continue;
            var held = ReadSlot(slot);
            result = AbstractValue.Join(result, held.WithoutSlots());
            foreach (var next in held.Slots) work.Push(next);
        }
        return result;
    }

    /// <summary>What a load through `container` (a field, element or indirection) may produce.</summary>
    public AbstractValue Load(AbstractValue container)
    {
        var result = container.Untracked ? AbstractValue.Unknown : AbstractValue.Nothing;
        foreach (var slot in container.Slots) result = AbstractValue.Join(result, ReadSlot(slot));
        foreach (var id in container.Nodes)
        {
            if (Contents.TryGetValue(id, out var stored)) result = AbstractValue.Join(result, stored);
            if (_nodes[id].Kind is NodeKind.Parameter or NodeKind.CallResult or NodeKind.CallDeposit) result = result.WithUntracked();
            // Whatever is loaded from an argument's object graph stands for "reachable from that argument":
            // if it escapes or is returned, so is the argument (and with it everything the caller put inside).
            if (_nodes[id].Kind is NodeKind.Parameter) result = AbstractValue.Join(result, AbstractValue.Of(id));
        }
        return new AbstractValue(result.Nodes, result.Untracked, slots: result.Slots);
    }

    /// <summary>Records `value` stored into a field, element or indirection of `container`.</summary>
    public void Store(AbstractValue container, AbstractValue value)
    {
        foreach (var slot in container.Slots) WriteSlot(slot, value);
        var stored = Resolve(value);
        if (container.Untracked) Escape(stored);
        foreach (var id in container.Nodes)
        {
            var current = Contents.GetValueOrDefault(id, AbstractValue.Nothing);
            var joined = AbstractValue.Join(current, new AbstractValue(stored.Nodes, stored.Untracked));
            if (!joined.SameAs(current)) { Contents[id] = joined; Changed = true; }
            foreach (var child in stored.Nodes) Contain(child, id);
        }
    }

    /// <summary>Records that `value` may be reachable from node `container` (without the escape rule for untracked containers).</summary>
    public void AddContents(int container, AbstractValue value)
    {
        var stored = Resolve(value);
        var current = Contents.GetValueOrDefault(container, AbstractValue.Nothing);
        var joined = AbstractValue.Join(current, new AbstractValue(stored.Nodes, stored.Untracked));
        if (!joined.SameAs(current)) { Contents[container] = joined; Changed = true; }
        foreach (var child in stored.Nodes) Contain(child, container);
    }

    public void Contain(int child, int container)
    {
        if (child == container) return;
        if (!ContainedIn.TryGetValue(child, out var set)) ContainedIn[child] = set = new HashSet<int>();
        if (set.Add(container)) Changed = true;
    }

    public void Escape(AbstractValue value)
    {
        foreach (var id in Resolve(value).Nodes)
            if (Escaping.Add(id)) Changed = true;
    }

    public void Return(AbstractValue value)
    {
        foreach (var id in Resolve(value).Nodes)
            if (Returning.Add(id)) Changed = true;
    }

    public void PassAway(AbstractValue value)
    {
        foreach (var id in Resolve(value).Nodes)
            if (PassedAway.Add(id)) Changed = true;
    }

    /// <summary>Computes every node's fate from the facts (a fixpoint over the containment graph).</summary>
    public void Classify(Func<int, int?> parameterIndexOf)
    {
        foreach (var node in _nodes)
            node.Fate = new FateSet(Escaping.Contains(node.Id), Returning.Contains(node.Id), 0);
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var node in _nodes)
            {
                if (!ContainedIn.TryGetValue(node.Id, out var containers)) continue;
                var fate = node.Fate;
                foreach (var container in containers)
                {
                    fate = fate.Union(_nodes[container].Fate.Escapes ? FateSet.Escaping : FateSet.None);
                    if (parameterIndexOf(container) is { } p) fate = fate.Union(FateSet.IntoParam(p));
                    else fate = fate.Union(_nodes[container].Fate);
                }
                if (fate != node.Fate) { node.Fate = fate; changed = true; }
            }
        }
    }
}
