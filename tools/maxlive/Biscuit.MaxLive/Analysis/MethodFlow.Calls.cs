// Calls, in the caller's frame: `newobj` allocates the object (or a delegate, or a struct
// temporary) and then runs the constructor; every call applies its CallEffect (the summary of
// the analysed targets, or the library summary) to the arguments: their fates, the bytes the
// callee deposits into them, its returned bytes as a new CallResult node, and collection growth.
using System.Reflection.Metadata;
using Biscuit.MaxLive.Il;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Analysis;

public sealed partial class MethodFlow
{
    private void Call(Instruction instruction, List<AbstractValue> stack)
    {
        int offset = instruction.Offset;
        var site = _method.Sites.GetValueOrDefault(offset) ?? throw new MaxLiveException("call site missing from the call graph");
        if (site.Unresolvable != null) throw new MaxLiveException(site.Unresolvable);
        var method = site.Declared;
        int declared = method.Signature.ParameterTypes.Length;
        var args = new AbstractValue[declared + (method.HasThis ? 1 : 0)];
        for (int i = args.Length - 1; i >= (site.OpCode == ILOpCode.Newobj && method.HasThis ? 1 : 0); i--)
            args[i] = Pop(stack);

        AbstractValue? created = null;
        if (site.OpCode == ILOpCode.Newobj)
        {
            var (value, runsConstructor) = NewObject(offset, method, args);
            if (!runsConstructor) { stack.Add(value); return; } // a delegate: the runtime builds it
            created = value;
            args[0] = created;
            var node = Nodes[created.Nodes[0]];
            node.InitialCapacity = declared == 0 ? 0
                : declared == 1 && method.ParameterTypes.First() is PrimitiveSig { Code: PrimitiveTypeCode.Int32 } && args[1].Exact ? args[1].Bound
                : null;
        }
        if (site.BoxedReceiver is { } boxedType)
        {
            var size = _context.Layout.BoxSize(boxedType);
            var box = Allocate(NodeKind.Allocation, offset, 1, size, $"box {boxedType} for a constrained call ({size} B)");
            _facts.Store(AbstractValue.Of(box), args[0]);
            args[0] = AbstractValue.Of(box);
        }

        var effect = EffectOf(site, args, offset);
        CallEffects[offset] = effect;
        AbstractValue? result = null;
        var returnType = method.ReturnType;
        bool returnsValue = !(returnType is PrimitiveSig { Code: PrimitiveTypeCode.Void }) && site.OpCode != ILOpCode.Newobj;
        if (returnsValue)
        {
            var resultNode = Allocate(NodeKind.CallResult, offset, 0, effect.Returned, $"result of {method.Name}");
            Nodes[resultNode].Description = effect.Returned > 0 ? $"returned by {method} ({effect.Returned} B)" : $"returned by {method}";
            result = new AbstractValue([resultNode], untracked: true, effect.ResultBound);
        }
        // Bytes the callee stores into the objects its arguments point to: new nodes inside those objects.
        var deposits = new int?[args.Length];
        for (int k = 0; k < effect.Deposited.Length && k < args.Length; k++)
        {
            if (effect.Deposited[k] == 0) continue;
            var deposit = Allocate(NodeKind.CallDeposit, offset, k, effect.Deposited[k], $"stored by {method} into argument {k} ({effect.Deposited[k]} B)");
            deposits[k] = deposit;
            _facts.Store(args[k], AbstractValue.Of(deposit));
        }
        for (int j = 0; j < args.Length; j++)
        {
            var fate = j < effect.ArgumentFates.Length ? effect.ArgumentFates[j] : FateSet.Escaping;
            if (fate.Escapes) _facts.Escape(args[j]);
            if (fate.Returned && result != null)
                _facts.AddContents(result.Nodes[0], args[j]); // the result may be, or hold, the argument
            foreach (var k in fate.Params())
            {
                if (k >= args.Length || k == j) continue;
                _facts.Store(args[k], args[j]);
                if (deposits[k] is { } deposit) _facts.AddContents(deposit, args[j]); // possibly inside the callee's new objects
            }
            // Handed to code that may grow it: any argument of analysed code; a library method's
            // non-receiver arguments except out/ref addresses (their summaries say what they write).
            if (site.Targets.Count > 0 || (j > 0 && args[j].Slots.IsEmpty)) _facts.PassAway(args[j]);
            if (site.Targets.Count == 0 && j > 0 && !args[j].Slots.IsEmpty)
            {
                // An out/ref result of library code may be anything reachable from the other arguments
                // (Dictionary.TryGetValue hands back an element of the receiver).
                var reachable = AbstractValue.Unknown;
                for (int i = 0; i < args.Length; i++)
                    if (i != j) reachable = AbstractValue.Join(reachable, _facts.Resolve(args[i]).WithoutSlots());
                foreach (var slot in args[j].Slots) _facts.WriteSlot(slot, reachable);
            }
        }
        if (effect.Growth is { } growth) Grow(offset, method, args[0], growth);
        if (created != null) stack.Add(created);
        else if (result != null) stack.Add(result);
    }

    /// <summary>The object a newobj creates, and whether a constructor body runs (not for delegates).</summary>
    private (AbstractValue Value, bool RunsConstructor) NewObject(int offset, MethodRef constructor, AbstractValue[] args)
    {
        var type = constructor.DeclaringType;
        if (type is MdArraySig)
            throw new MaxLiveException("multi-dimensional arrays are not supported; use a one-dimensional array");
        if (type is NamedSig { IsValueType: true })
            return (AbstractValue.Of(Allocate(NodeKind.StructValue, offset, 0, 0, $"struct {type} (on the stack)")), true);
        if (type is PrimitiveSig { Code: PrimitiveTypeCode.String } || type is NamedSig { FullName: "System.String" })
            throw new MaxLiveException("new string(...) has no summary; build strings with string.Concat of bounded parts or wrap it in a method with [AssumeAllocation]");
        var size = _context.Layout.ObjectSize(type);
        if (type is NamedSig { Def: { } def } && _context.Assemblies.IsDelegate(def))
        {
            var id = Allocate(NodeKind.Allocation, offset, 0, size, $"new delegate {type} ({size} B)");
            for (int i = 1; i < args.Length; i++) _facts.Store(AbstractValue.Of(id), args[i]); // the delegate keeps its target
            return (AbstractValue.Of(id), false);
        }
        return (AbstractValue.Of(Allocate(NodeKind.Allocation, offset, 0, size, $"new {type} ({size} B)")), true);
    }

    private CallEffect EffectOf(CallSite site, AbstractValue[] args, int offset)
    {
        CallEffect? combined = site.Targets.Count > 0 ? _effectOf(site) : null;
        if (site.Library is { DeclaringTypeName: InterpolationHandler } handler)
            return Interpolation(handler, args, offset);
        if (site.Library is { } library)
        {
            var summary = _context.Library.Summarize(library, args.Select(a => _facts.Resolve(a)).ToList())
                ?? throw new MaxLiveException($"call to library method {library} has no summary; maxlive cannot tell what it allocates. Wrap the call in a method marked [AssumeAllocation(bytes)]");
            combined = combined == null ? summary : Effects.Max(combined, summary);
        }
        return combined ?? new CallEffect { ArgumentFates = Enumerable.Repeat(FateSet.Escaping, args.Length).ToArray(), Deposited = new long[args.Length] };
    }

    private void Grow(int offset, MethodRef method, AbstractValue receiver, GrowthModel growth)
    {
        if (receiver.Bound is { } count)
        {
            var step = growth.MaxStep(count);
            var id = Allocate(NodeKind.CallDeposit, offset, 99, step, $"one {method.Name} on a collection of at most {count} elements: {growth.Name}, largest step {step} B");
            _facts.Store(receiver, AbstractValue.Of(id));
            return;
        }
        var resolved = _facts.Resolve(receiver);
        if (!resolved.Untracked && resolved.Nodes.Count == 1 && Nodes[resolved.Nodes[0]].Kind == NodeKind.Allocation)
        {
            GrowthCalls[offset] = new GrowthCall(resolved.Nodes[0], offset, growth);
            return;
        }
        throw new MaxLiveException($"{method}: cannot bound the size of this collection; mark the field or parameter that holds it with [MaxCount], or create it in this method with its parameterless constructor");
    }
}
