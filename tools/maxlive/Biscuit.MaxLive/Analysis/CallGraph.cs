// The call graph from the request handlers: every method instantiation reachable from them, the
// call sites of each, and the targets of each call site. Virtual and interface calls resolve
// conservatively to every implementation among the types of the analysed assemblies (plus the
// declared method when it has a body, or the library method when it is declared outside them);
// delegate invocations resolve to every analysed method whose address is taken (ldftn) with the
// same delegate type and a compatible parameter list. Invariant: a node is created once per
// instantiated method (Key).
using System.Collections.Immutable;
using System.Reflection.Metadata;
using Biscuit.MaxLive.Il;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Analysis;

public sealed class CallSite
{
    public required int Offset { get; init; }
    public required ILOpCode OpCode { get; init; }
    public required MethodRef Declared { get; init; }
    /// <summary>Analysed methods this site may run (keys into CallGraph.Nodes).</summary>
    public List<string> Targets { get; } = new();
    /// <summary>The library method this site may run (needs a summary), or null.</summary>
    public MethodRef? Library { get; set; }
    /// <summary>A constrained. call on a value type without its own override boxes the value first.</summary>
    public TypeSig? BoxedReceiver { get; set; }
    /// <summary>
    /// Delegate targets that are open static methods: they do not receive the delegate as argument 0,
    /// so their argument numbering is one less than the call site's (Analyzer shifts their effects).
    /// </summary>
    public HashSet<string> OpenStaticTargets { get; } = new();
    /// <summary>Why the site cannot be resolved (calli, delegate without candidates), or null.</summary>
    public string? Unresolvable { get; set; }
}

public sealed class MethodNode
{
    public required MethodRef Method { get; init; }
    public required string Key { get; init; }
    public AssumedAllocation? Assumed { get; init; }
    public MethodBodyBlock? Body { get; set; }
    public List<Instruction> Code { get; set; } = new();
    public List<Loop> Loops { get; set; } = new();
    public ImmutableArray<TypeSig> Locals { get; set; } = ImmutableArray<TypeSig>.Empty;
    public Dictionary<int, CallSite> Sites { get; } = new();
    /// <summary>Set when the method cannot be analysed at all (no body, bad IL).</summary>
    public string? Error { get; set; }
    public override string ToString() => Method.ToString();
}

public sealed class CallGraph
{
    private readonly AssemblySet _assemblies;
    private readonly MemberResolver _resolver;
    private readonly Annotations _annotations;
    private List<TypeDef>? _analysedTypes;
    // Methods whose address is taken, with the delegate type built from it ("System.Func`2"), or
    // null when the address is not immediately turned into a delegate (then any delegate may hold it).
    private List<(MethodDef Method, NamedSig? DelegateType)>? _addressTaken;

    public Dictionary<string, MethodNode> Nodes { get; } = new();

    public CallGraph(AssemblySet assemblies, MemberResolver resolver, Annotations annotations)
    {
        _assemblies = assemblies;
        _resolver = resolver;
        _annotations = annotations;
    }

    /// <summary>Adds a root and everything reachable from it; returns the root's key.</summary>
    public string Add(MethodRef root)
    {
        var work = new Stack<MethodRef>();
        var rootKey = Enqueue(root, work);
        while (work.Count > 0)
            Explore(Nodes[work.Pop().Key], work);
        return rootKey;
    }

    private string Enqueue(MethodRef method, Stack<MethodRef> work)
    {
        var key = method.Key;
        if (Nodes.ContainsKey(key)) return key;
        var def = method.Def!.Value;
        Nodes[key] = new MethodNode { Method = method, Key = key, Assumed = _annotations.Assumption(def) };
        work.Push(method);
        return key;
    }

    private void Explore(MethodNode node, Stack<MethodRef> work)
    {
        if (node.Assumed != null) return; // trusted summary: the body is not looked at
        var def = node.Method.Def!.Value;
        var rva = def.Definition.RelativeVirtualAddress;
        if (rva == 0)
        {
            node.Error = $"{node.Method}: has no IL body (abstract, extern or runtime-implemented); add [AssumeAllocation] to it or to its caller";
            return;
        }
        try
        {
            var body = def.Module.PE.GetMethodBody(rva);
            node.Body = body;
            node.Code = IlDecoder.Decode(body, node.Method.ToString());
            node.Loops = LoopFinder.Find(node.Code, body, node.Method.ToString());
            node.Locals = _assemblies.Signatures.LocalTypes(def.Module, body.LocalSignature)
                .Select(t => t.Substitute(node.Method.TypeArgs, node.Method.MethodArgs)).ToImmutableArray();
        }
        catch (MaxLiveException e) { node.Error = e.Message; return; }
        catch (BadImageFormatException e) { node.Error = $"{node.Method}: unreadable method body ({e.Message})"; return; }

        TypeSig? constrained = null;
        foreach (var instruction in node.Code)
        {
            switch (instruction.OpCode)
            {
                case ILOpCode.Constrained:
                    constrained = _assemblies.Signatures.FromHandle(def.Module, instruction.Token).Substitute(node.Method.TypeArgs, node.Method.MethodArgs);
                    continue;
                case ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj:
                    var declared = _resolver.ResolveMethod(def.Module, instruction.Token, node.Method.TypeArgs, node.Method.MethodArgs);
                    var site = new CallSite { Offset = instruction.Offset, OpCode = instruction.OpCode, Declared = declared };
                    Resolve(site, constrained, work);
                    node.Sites[instruction.Offset] = site;
                    break;
                case ILOpCode.Calli:
                    node.Sites[instruction.Offset] = new CallSite
                    {
                        Offset = instruction.Offset, OpCode = instruction.OpCode,
                        Declared = new MethodRef(null, new PrimitiveSig(PrimitiveTypeCode.Void), "calli", default, ImmutableArray<TypeSig>.Empty),
                        Unresolvable = "an indirect call (calli) cannot be resolved; wrap it in a method with [AssumeAllocation]",
                    };
                    break;
            }
            constrained = null;
        }
    }

    private void Resolve(CallSite site, TypeSig? constrained, Stack<MethodRef> work)
    {
        var declared = site.Declared;
        if (declared.DeclaringType is MdArraySig)
        {
            site.Unresolvable = "multi-dimensional arrays are not supported; use a one-dimensional array";
            return;
        }
        if (declared.Def is not { } def)
        {
            site.Unresolvable = $"cannot find the definition of {declared} (is its assembly missing?)";
            return;
        }
        var declaringType = def.DeclaringType;
        bool isVirtualCall = site.OpCode == ILOpCode.Callvirt && def.IsVirtual && !IsSealed(def);
        if (_assemblies.IsDelegate(declaringType) && def.Name == "Invoke")
        {
            ResolveDelegate(site, declared, work);
            return;
        }
        if (constrained is NamedSig { IsValueType: true, Def: { } valueType } && isVirtualCall)
        {
            var own = _resolver.FindMethod(valueType, def.Name, _assemblies.Signatures.MethodSignature(def));
            if (own is { } o && o.DeclaringType == valueType)
            {
                AddTarget(site, _resolver.FromDefinition(o, ((NamedSig)constrained).Args, declared.MethodArgs), work);
                return;
            }
            site.BoxedReceiver = constrained;
        }
        if (!isVirtualCall)
        {
            AddTarget(site, declared, work);
            return;
        }
        if (!def.IsAbstract || !def.Module.IsAnalysed)
            AddTarget(site, declared, work);
        foreach (var implementation in Implementations(def))
            AddTarget(site, _resolver.FromDefinition(implementation, ImmutableArray<TypeSig>.Empty, declared.MethodArgs), work);
        if (site.Targets.Count == 0 && site.Library == null)
            site.Unresolvable = $"{declared} has no implementation in the analysed assemblies (pass the assembly that implements it)";
    }

    private void AddTarget(CallSite site, MethodRef target, Stack<MethodRef> work)
    {
        if (target.Def is { } d && d.Module.IsAnalysed)
        {
            var key = Enqueue(target, work);
            if (!site.Targets.Contains(key)) site.Targets.Add(key);
        }
        else
            site.Library = target;
    }

    private void ResolveDelegate(CallSite site, MethodRef invoke, Stack<MethodRef> work)
    {
        var parameters = invoke.ParameterTypes.ToList();
        bool any = false;
        foreach (var (candidate, createdAs) in AddressTakenMethods())
        {
            if (createdAs != null && !SameDelegateType(createdAs, invoke.DeclaringType)) continue; // a delegate only holds what it was built from
            var signature = _assemblies.Signatures.MethodSignature(candidate);
            var own = signature.ParameterTypes;
            bool open = Compatible(own, parameters);
            // A static method may also be bound "closed" over its first (reference) parameter.
            bool closed = !signature.Header.IsInstance && own.Length == parameters.Count + 1 && own[0].IsReference
                          && Compatible(own.RemoveAt(0), parameters);
            if (!open && !closed) continue;
            var target = _resolver.FromDefinition(candidate, ImmutableArray<TypeSig>.Empty, ImmutableArray<TypeSig>.Empty);
            AddTarget(site, target, work);
            if (open && !signature.Header.IsInstance) site.OpenStaticTargets.Add(target.Key);
            any = true;
        }
        if (!any)
            site.Unresolvable = $"delegate call {invoke}: no analysed method with a matching signature has its address taken, so the target is outside the analysed code; wrap the call in a method with [AssumeAllocation]";
    }

    /// <summary>
    /// Could a method with these parameters be the target of a delegate with those? Same count;
    /// value-type parameters must match exactly, reference-type ones may differ (delegate
    /// variance, ECMA-335 §II.14.6), and generic ones match anything (sound over-approximation).
    /// </summary>
    private static bool Compatible(ImmutableArray<TypeSig> method, List<TypeSig> invoke) =>
        method.Length == invoke.Count
        && method.Zip(invoke).All(p => p.First.IsOpen || p.Second.IsOpen || (p.First.IsReference && p.Second.IsReference)
                                       || p.First.ToString() == p.Second.ToString());

    private static bool IsSealed(MethodDef method) =>
        (method.Definition.Attributes & System.Reflection.MethodAttributes.Final) != 0
        || (method.DeclaringType.Definition.Attributes & System.Reflection.TypeAttributes.Sealed) != 0;

    /// <summary>Non-abstract methods of analysed subtypes that may override or implement `method`.</summary>
    private IEnumerable<MethodDef> Implementations(MethodDef method)
    {
        var owner = method.DeclaringType;
        var name = method.Name;
        int parameters = _assemblies.Signatures.MethodSignature(method).ParameterTypes.Length;
        foreach (var type in AnalysedTypes())
        {
            if (type == owner || !IsSubtype(type, owner, 0)) continue;
            foreach (var handle in type.Definition.GetMethods())
            {
                var candidate = new MethodDef(type.Module, handle);
                if (candidate.IsAbstract || candidate.IsStatic || !candidate.IsVirtual) continue;
                var candidateName = candidate.Name;
                if (candidateName != name && !candidateName.EndsWith("." + name, StringComparison.Ordinal)) continue;
                if (_assemblies.Signatures.MethodSignature(candidate).ParameterTypes.Length != parameters) continue;
                yield return candidate;
            }
        }
    }

    private bool IsSubtype(TypeDef type, TypeDef ancestor, int depth)
    {
        if (depth > 64) return false;
        if (type == ancestor) return true;
        foreach (var iface in _assemblies.DeclaredInterfaces(type))
            if (iface is NamedSig { Def: { } i } && IsSubtype(i, ancestor, depth + 1)) return true;
        return _resolver.BaseDef(type) is { } b && IsSubtype(b, ancestor, depth + 1);
    }

    private List<TypeDef> AnalysedTypes() => _analysedTypes ??=
        _assemblies.Analysed.SelectMany(m => m.Reader.TypeDefinitions.Select(h => new TypeDef(m, h))).ToList();

    /// <summary>
    /// Can a delegate built as `created` be invoked through `invoked`? Same generic definition, and
    /// type arguments equal, both references (variance, ECMA-335 §II.9.11) or still open.
    /// </summary>
    private static bool SameDelegateType(NamedSig created, TypeSig invoked) =>
        invoked is NamedSig named && named.FullName == created.FullName && named.Args.Length == created.Args.Length
        && named.Args.Zip(created.Args).All(p => p.First.IsOpen || p.Second.IsOpen || (p.First.IsReference && p.Second.IsReference)
                                                 || p.First.ToString() == p.Second.ToString());

    private List<(MethodDef Method, NamedSig? DelegateType)> AddressTakenMethods()
    {
        if (_addressTaken != null) return _addressTaken;
        var found = new List<(MethodDef, NamedSig?)>();
        var seen = new HashSet<string>();
        foreach (var module in _assemblies.Analysed)
            foreach (var handle in module.Reader.MethodDefinitions)
            {
                var rva = module.Reader.GetMethodDefinition(handle).RelativeVirtualAddress;
                if (rva == 0) continue;
                List<Instruction> code;
                try { code = IlDecoder.Decode(module.PE.GetMethodBody(rva), "scan"); }
                catch (Exception e) when (e is MaxLiveException or BadImageFormatException) { continue; }
                for (int i = 0; i < code.Count; i++)
                {
                    if (code[i].OpCode is not (ILOpCode.Ldftn or ILOpCode.Ldvirtftn)) continue;
                    if (_resolver.ResolveMethod(module, code[i].Token, ImmutableArray<TypeSig>.Empty, ImmutableArray<TypeSig>.Empty).Def is not { } target
                        || !target.Module.IsAnalysed) continue;
                    NamedSig? createdAs = null;
                    if (i + 1 < code.Count && code[i + 1].OpCode == ILOpCode.Newobj
                        && _resolver.ResolveMethod(module, code[i + 1].Token, ImmutableArray<TypeSig>.Empty, ImmutableArray<TypeSig>.Empty).DeclaringType is NamedSig { Def: { } type } named
                        && _assemblies.IsDelegate(type))
                        createdAs = named;
                    var key = $"{target.Module.Name}:{System.Reflection.Metadata.Ecma335.MetadataTokens.GetToken(target.Handle)}|{createdAs}";
                    if (seen.Add(key)) found.Add((target, createdAs));
                }
            }
        return _addressTaken = found;
    }
}
