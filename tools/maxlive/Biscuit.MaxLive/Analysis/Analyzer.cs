// The analysis driver: finds the request handlers ([RequestHandler]) of the analysed
// assemblies, builds their call graph, summarises every method bottom-up (callees first, cycles
// as a whole) and produces one budget per request:
//   budget = escaping + returned + deposited (the handler's arguments are long-lived) + peak.
// A request is reported with every error found in any method it can reach; a request with an
// error has no budget (the table generator refuses it: never a silent zero).
using System.Collections.Immutable;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Analysis;

/// <summary>
/// One request's budget. Escaping counts everything that outlives the request: objects stored into
/// statics or long-lived objects, including `this` and the handler's other arguments (the server's
/// state and the request message). Returned is the reply the handler returns; Peak the largest
/// stack-live heap along any call path. Bytes = Escaping + Returned + Peak, or -1 with Errors.
/// </summary>
public sealed record RequestBudget(
    string Request, string Handler, long Bytes, long Escaping, long Returned, long Peak,
    IReadOnlyList<string> Derivation, IReadOnlyList<string> Errors)
{
    public bool Ok => Errors.Count == 0;
}

public sealed record AnalysisResult(string Server, IReadOnlyList<RequestBudget> Requests, IReadOnlyList<string> Errors)
{
    public bool Ok => Errors.Count == 0 && Requests.All(r => r.Ok);

    public IEnumerable<string> AllErrors => Errors.Concat(Requests.SelectMany(r => r.Errors.Select(e => $"request {r.Request}: {e}"))).Distinct();
}

public static class Analyzer
{
    /// <summary>
    /// Analyses the assemblies. Handlers are the methods with [RequestHandler], unless
    /// `requestNameOf` is given: then it names the request of each method (null: not a handler),
    /// for servers whose handlers come from a dispatch table rather than attributes.
    /// </summary>
    public static AnalysisResult Analyze(IEnumerable<string> assemblyPaths, string server, Func<MethodDef, string?>? requestNameOf = null)
    {
        using var assemblies = new AssemblySet(assemblyPaths);
        var context = new AnalysisContext(assemblies);
        var graph = new CallGraph(assemblies, context.Resolver, context.Annotations);
        var handlers = new List<(string Request, string Key)>();
        var errors = new List<string>();
        foreach (var module in assemblies.Analysed)
            foreach (var handle in module.Reader.MethodDefinitions)
            {
                var def = new MethodDef(module, handle);
                string? request;
                try { request = requestNameOf != null ? requestNameOf(def) : context.Annotations.RequestName(def); }
                catch (MaxLiveException e) { errors.Add(e.Message); continue; }
                if (request == null) continue;
                if (def.DeclaringType.GenericArity > 0 || def.Definition.GetGenericParameters().Count > 0)
                {
                    errors.Add($"{def}: a request handler must not be generic");
                    continue;
                }
                if (handlers.Any(h => h.Request == request))
                {
                    errors.Add($"request \"{request}\" has more than one [RequestHandler] ({def} and {graph.Nodes[handlers.First(h => h.Request == request).Key].Method})");
                    continue;
                }
                handlers.Add((request, graph.Add(context.Resolver.FromDefinition(def, ImmutableArray<TypeSig>.Empty, ImmutableArray<TypeSig>.Empty))));
            }
        if (handlers.Count == 0 && errors.Count == 0)
            errors.Add("no method carries [RequestHandler(\"Name\")] in the analysed assemblies");

        var diagnostics = new Dictionary<string, HashSet<string>>();
        void Report(string key, int offset, string message)
        {
            if (!diagnostics.TryGetValue(key, out var set)) diagnostics[key] = set = new HashSet<string>();
            set.Add(new Diagnostic(graph.Nodes[key].Method.ToString(), offset, message).ToString());
        }
        var summaries = Summarize(graph, context, Report);

        var requests = new List<RequestBudget>();
        foreach (var (request, key) in handlers.OrderBy(h => h.Request, StringComparer.Ordinal))
        {
            var reachable = Reachable(graph, key);
            var requestErrors = reachable.SelectMany(k => diagnostics.GetValueOrDefault(k) ?? []).Distinct().OrderBy(e => e, StringComparer.Ordinal).ToList();
            var s = summaries[key];
            var deposited = s.Deposited.Aggregate(0L, Saturating.Add);
            var bytes = s.Total;
            var derivation = Explanation.Derive(request, key, graph, summaries, reachable);
            if (bytes == long.MaxValue && requestErrors.Count == 0)
                requestErrors.Add($"{graph.Nodes[key].Method}: the budget overflows a 64-bit byte count (bounds too large)");
            requests.Add(new RequestBudget(request, graph.Nodes[key].Method.ToString(), requestErrors.Count == 0 ? bytes : -1,
                Saturating.Add(s.Escaping, deposited), s.Returned, s.Peak, derivation, requestErrors));
        }
        return new AnalysisResult(server, requests, errors);
    }

    private static Dictionary<string, MethodSummary> Summarize(CallGraph graph, AnalysisContext context, Action<string, int, string> report)
    {
        var summaries = new Dictionary<string, MethodSummary>();
        var loops = new Dictionary<string, LoopBounds>();
        foreach (var component in Recursion.Components(graph.Nodes))
        {
            var members = component.ToHashSet();
            foreach (var key in component)
            {
                var node = graph.Nodes[key];
                summaries[key] = SummarizeOne(node, members, summaries, loops, context, (o, m) => report(key, o, m));
            }
            if (Recursion.IsCycle(component, graph.Nodes))
                Recursion.SumCycle(component, graph.Nodes, summaries, loops, context, report);
        }
        return summaries;
    }

    private static MethodSummary SummarizeOne(MethodNode node, HashSet<string> cycle, Dictionary<string, MethodSummary> summaries,
        Dictionary<string, LoopBounds> loops, AnalysisContext context, Action<int, string> report)
    {
        int arity = (node.Method.HasThis ? 1 : 0) + node.Method.Signature.ParameterTypes.Length;
        if (node.Assumed is { } assumed)
        {
            var trusted = new MethodSummary
            {
                Method = node.Method.ToString(),
                ArgumentFates = Enumerable.Repeat(FateSet.Escaping, arity).ToArray(),
                Deposited = new long[arity],
                Escaping = assumed.StackOnly ? 0 : assumed.Bytes,
                Peak = assumed.StackOnly ? assumed.Bytes : 0,
                FrameLocal = assumed.StackOnly ? assumed.Bytes : 0,
            };
            trusted.Derivation.Add($"[AssumeAllocation({assumed.Bytes}{(assumed.StackOnly ? ", StackOnly = true" : "")})]: trusted, body not analysed");
            return trusted;
        }
        var empty = new MethodSummary { Method = node.Method.ToString(), ArgumentFates = Enumerable.Repeat(FateSet.Escaping, arity).ToArray(), Deposited = new long[arity] };
        if (node.Error != null)
        {
            report(-1, node.Error);
            return empty;
        }
        try
        {
            var recursiveSites = node.Sites.Values.Where(s => s.Targets.Any(cycle.Contains)).Select(s => s.Offset).ToHashSet();
            var flow = new MethodFlow(node, context, site => site.Targets
                .Select(t => cycle.Contains(t) ? Effects.Recursive(ArityOf(site))
                    : site.OpenStaticTargets.Contains(t) ? Effects.ShiftForDelegate(Effects.FromSummary(summaries[t]))
                    : Effects.FromSummary(summaries[t]))
                .Aggregate(Effects.Max));
            flow.Run();
            var bounds = new LoopBounds(node, context.Annotations, report);
            loops[node.Key] = bounds;
            var summary = FrameBudget.Summarize(node, flow, bounds, context, recursiveSites,
                target => !cycle.Contains(target) && summaries.TryGetValue(target, out var callee) ? callee.Peak : null);
            foreach (var d in flow.Diagnostics) report(d.Offset, d.Message);
            return summary;
        }
        catch (MaxLiveException e)
        {
            report(-1, e.Message);
            return empty;
        }
    }

    private static int ArityOf(CallSite site) => (site.Declared.HasThis ? 1 : 0) + site.Declared.Signature.ParameterTypes.Length;

    public static HashSet<string> Reachable(CallGraph graph, string root)
    {
        var seen = new HashSet<string> { root };
        var work = new Stack<string>([root]);
        while (work.Count > 0)
            foreach (var next in graph.Nodes[work.Pop()].Sites.Values.SelectMany(s => s.Targets))
                if (seen.Add(next)) work.Push(next);
        return seen;
    }
}
