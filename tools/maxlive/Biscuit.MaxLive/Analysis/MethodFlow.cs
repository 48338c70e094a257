// The abstract interpreter for one method body (ECMA-335 §III stack semantics): it follows
// every instruction with abstract values on the evaluation stack, creates a Node for every
// allocation site and call result, and records into FrameFacts where each node may be stored.
// The operand stack is flow-sensitive (joined at branch targets); locals, arguments and object
// contents are flow-insensitive; passes repeat until nothing grows. Every problem is recorded as
// a Diagnostic with the method and IL offset, and the walk goes on so all problems are reported.
using System.Collections.Immutable;
using System.Reflection.Metadata;
using Biscuit.MaxLive.Il;
using Biscuit.MaxLive.Layout;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Analysis;

public sealed record Diagnostic(string Method, int Offset, string Message)
{
    public override string ToString() => Offset >= 0 ? $"{Method} at {Instruction.Label(Offset)}: {Message}" : $"{Method}: {Message}";
}

/// <summary>A List/Dictionary/... add on a collection the frame itself created and never handed away.</summary>
public sealed record GrowthCall(int Node, int Offset, GrowthModel Model);

public sealed partial class MethodFlow
{
    private readonly MethodNode _method;
    private readonly AnalysisContext _context;
    private readonly Func<CallSite, CallEffect> _effectOf;
    private readonly Dictionary<(NodeKind, int, int), int> _nodeIds = new();
    private readonly HashSet<Diagnostic> _diagnostics = new();
    private readonly Dictionary<int, AbstractValue[]> _entryStacks = new();
    private readonly int _argumentCount;
    private FrameFacts _facts = null!;

    public List<Node> Nodes { get; } = new();
    public Dictionary<int, CallEffect> CallEffects { get; } = new();
    public Dictionary<int, GrowthCall> GrowthCalls { get; } = new();
    public IEnumerable<Diagnostic> Diagnostics => _diagnostics;
    public FrameFacts Facts => _facts;

    public MethodFlow(MethodNode method, AnalysisContext context, Func<CallSite, CallEffect> effectOf)
    {
        _method = method;
        _context = context;
        _effectOf = effectOf;
        _argumentCount = (method.Method.HasThis ? 1 : 0) + method.Method.Signature.ParameterTypes.Length;
    }

    public int? ParameterIndexOf(int nodeId) => Nodes[nodeId].Kind == NodeKind.Parameter ? Nodes[nodeId].Offset : null;

    public void Run()
    {
        var args = new AbstractValue[_argumentCount];
        int firstDeclared = _method.Method.HasThis ? 1 : 0;
        for (int i = 0; i < _argumentCount; i++)
        {
            var id = NodeFor(NodeKind.Parameter, 0, i, i == 0 && firstDeclared == 1 ? "this" : $"argument {i}");
            long? bound = i >= firstDeclared ? Guard(-1, () => _context.Annotations.CountBound(_method.Method.Def!.Value, i - firstDeclared)) : null;
            args[i] = AbstractValue.Of(id, bound);
        }
        _facts = new FrameFacts(_method.Locals.Length, args, Nodes);
        _entryStacks[0] = [];
        foreach (var region in _method.Body!.ExceptionRegions)
        {
            var start = region.Kind is ExceptionRegionKind.Catch or ExceptionRegionKind.Filter ? new[] { AbstractValue.Unknown } : [];
            _entryStacks[region.HandlerOffset] = start;
            if (region.Kind == ExceptionRegionKind.Filter) _entryStacks[region.FilterOffset] = [AbstractValue.Unknown];
        }
        for (int pass = 0; pass < 1000; pass++)
        {
            _facts.Changed = false;
            foreach (var instruction in _method.Code)
                if (_entryStacks.TryGetValue(instruction.Offset, out var entry))
                    Step(instruction, entry);
            if (!_facts.Changed) break;
        }
        _facts.Classify(ParameterIndexOf);
    }

    private void Step(Instruction instruction, AbstractValue[] entry)
    {
        var stack = new List<AbstractValue>(entry);
        try { Execute(instruction, stack); }
        catch (MaxLiveException e) { Report(instruction.Offset, e.Message); return; }
        catch (InvalidOperationException) { Report(instruction.Offset, "evaluation stack underflow (invalid IL)"); return; }
        if (instruction.OpCode is ILOpCode.Leave or ILOpCode.Leave_s) stack.Clear();
        if (!IlDecoder.EndsBlock(instruction.OpCode) || instruction.OpCode is ILOpCode.Br or ILOpCode.Br_s or ILOpCode.Leave or ILOpCode.Leave_s)
        {
            if (!IlDecoder.EndsBlock(instruction.OpCode)) Flow(instruction.Next, stack, instruction.Offset);
            foreach (var target in instruction.Targets ?? []) Flow(target, stack, instruction.Offset);
        }
    }

    private void Flow(int target, List<AbstractValue> stack, int from)
    {
        if (!_entryStacks.TryGetValue(target, out var existing))
        {
            _entryStacks[target] = stack.ToArray();
            _facts.Changed = true;
            return;
        }
        if (existing.Length != stack.Count)
        {
            Report(from, $"stack depth differs at the join {Instruction.Label(target)} (invalid IL)");
            return;
        }
        for (int i = 0; i < existing.Length; i++)
        {
            var joined = AbstractValue.Join(existing[i], stack[i]);
            if (joined.SameAs(existing[i])) continue;
            existing[i] = joined;
            _facts.Changed = true;
        }
    }

    public void Report(int offset, string message) => _diagnostics.Add(new Diagnostic(_method.Method.ToString(), offset, message));

    private T? Guard<T>(int offset, Func<T?> action)
    {
        try { return action(); }
        catch (MaxLiveException e) { Report(offset, e.Message); return default; }
    }

    private int NodeFor(NodeKind kind, int offset, int index, string description)
    {
        if (_nodeIds.TryGetValue((kind, offset, index), out var id)) return id;
        id = Nodes.Count;
        Nodes.Add(new Node(id, kind, kind == NodeKind.Parameter ? index : offset, description));
        _nodeIds[(kind, offset, index)] = id;
        return id;
    }

    private int Allocate(NodeKind kind, int offset, int index, long bytes, string description)
    {
        var id = NodeFor(kind, offset, index, description);
        Nodes[id].Bytes = bytes;
        Nodes[id].Description = description;
        return id;
    }

    private TypeSig TypeOperand(Instruction instruction) =>
        _context.Assemblies.Signatures.FromHandle(_method.Method.Def!.Value.Module, instruction.Token)
            .Substitute(_method.Method.TypeArgs, _method.Method.MethodArgs);

    private FieldRef FieldOperand(Instruction instruction) =>
        _context.Resolver.ResolveField(_method.Method.Def!.Value.Module, instruction.Token, _method.Method.TypeArgs, _method.Method.MethodArgs);

    private long? FieldBound(FieldRef field) => field.Def is { } def && def.Module.IsAnalysed ? _context.Annotations.CountBound(def) : null;
}
