// Recursive cycles (strongly connected components of the call graph). Each member's frame is
// first summarised with its calls into the cycle counted as nothing; then the cycle as a whole:
//   depth D       = sum of the members' [MaxRecursion] bounds (each member is at most that many
//                   times on the stack, so at most D frames of the cycle are live at once);
//   branching b   = the most calls into the cycle one frame makes (loop multipliers included);
//   invocations N = 1 + b + ... + b^(D-1) (= D when b = 1);
//   escaping      = N x max over members of (escaping + returned + deposited) per frame
//                   (everything a frame hands outward is counted as long-lived: sound, simple);
//   peak          = D x max frame-local bytes + max peak of a call leaving the cycle.
// A cycle whose frames allocate nothing needs no bound. A missing bound is an error naming the
// member and the IL offset of its recursive call.
using Biscuit.MaxLive.Il;

namespace Biscuit.MaxLive.Analysis;

public static class Recursion
{
    /// <summary>Strongly connected components, callees before callers (Tarjan).</summary>
    public static List<List<string>> Components(Dictionary<string, MethodNode> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var onStack = new HashSet<string>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        int counter = 0;
        foreach (var root in graph.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            if (index.ContainsKey(root)) continue;
            var work = new Stack<(string Node, IEnumerator<string> Edges)>();
            Visit(root);
            while (work.Count > 0)
            {
                var (node, edges) = work.Peek();
                if (edges.MoveNext())
                {
                    var next = edges.Current;
                    if (!index.ContainsKey(next)) Visit(next);
                    else if (onStack.Contains(next)) low[node] = Math.Min(low[node], index[next]);
                    continue;
                }
                work.Pop();
                if (work.Count > 0) low[work.Peek().Node] = Math.Min(low[work.Peek().Node], low[node]);
                if (low[node] != index[node]) continue;
                var component = new List<string>();
                string member;
                do { member = stack.Pop(); onStack.Remove(member); component.Add(member); } while (member != node);
                result.Add(component);
            }

            void Visit(string node)
            {
                index[node] = low[node] = counter++;
                stack.Push(node);
                onStack.Add(node);
                work.Push((node, graph[node].Sites.Values.SelectMany(s => s.Targets).Distinct().ToList().GetEnumerator()));
            }
        }
        return result;
    }

    public static bool IsCycle(List<string> component, Dictionary<string, MethodNode> graph) =>
        component.Count > 1 || graph[component[0]].Sites.Values.Any(s => s.Targets.Contains(component[0]));

    /// <summary>Replaces the members' frame summaries by the cycle's summary; reports missing bounds.</summary>
    public static void SumCycle(List<string> members, Dictionary<string, MethodNode> graph, Dictionary<string, MethodSummary> summaries,
        Dictionary<string, LoopBounds> loops, AnalysisContext context, Action<string, int, string> report)
    {
        var memberSet = members.ToHashSet();
        long perFrame = 0, frameLocal = 0, leavingPeak = 0;
        foreach (var key in members)
        {
            var s = summaries[key];
            perFrame = Math.Max(perFrame, Saturating.Add(Saturating.Add(s.Escaping, s.Returned), s.Deposited.Aggregate(0L, Saturating.Add)));
            frameLocal = Math.Max(frameLocal, s.FrameLocal);
            leavingPeak = Math.Max(leavingPeak, s.CalleePeak);
        }
        var cycleName = string.Join(" -> ", members.Select(m => graph[m].Method.Name));
        if (perFrame == 0 && frameLocal == 0)
        {
            foreach (var key in members)
                summaries[key].Derivation.Add($"recursive cycle ({cycleName}) allocates nothing per frame: no bound needed");
            return;
        }
        long depth = 0, branching = 0;
        bool complete = true;
        foreach (var key in members)
        {
            var node = graph[key];
            var recursiveSites = node.Sites.Values.Where(s => s.Targets.Any(memberSet.Contains)).OrderBy(s => s.Offset).ToList();
            if (node.Assumed == null && context.Annotations.RecursionBound(node.Method.Def!.Value) is { } bound) depth = Saturating.Add(depth, bound.Depth);
            else
            {
                var at = recursiveSites.FirstOrDefault()?.Offset ?? -1;
                report(key, at, $"recursive call in a cycle that allocates ({cycleName}: up to {Math.Max(perFrame, frameLocal)} B per frame) and {node.Method.Name} has no [MaxRecursion(n)]");
                complete = false;
            }
            long calls = 0;
            foreach (var site in recursiveSites)
            {
                if (loops.TryGetValue(key, out var l) && l.Multiplier(site.Offset) is { } m) calls = Saturating.Add(calls, m);
                else if (loops.ContainsKey(key))
                {
                    report(key, site.Offset, "recursive call inside a loop without a bound; annotate the loop with [MaxIterations]");
                    complete = false;
                }
                else calls = Saturating.Add(calls, 1);
            }
            branching = Math.Max(branching, calls);
        }
        if (!complete) return;
        long invocations = 0, power = 1;
        for (long level = 0; level < depth; level++)
        {
            invocations = Saturating.Add(invocations, power);
            power = Saturating.Multiply(power, Math.Max(1, branching));
            if (invocations == long.MaxValue) break;
        }
        var escaping = Saturating.Multiply(invocations, perFrame);
        var peak = Saturating.Add(Saturating.Multiply(depth, frameLocal), leavingPeak);
        foreach (var key in members)
        {
            var s = summaries[key];
            s.Derivation.Add($"recursive cycle ({cycleName}): depth {depth}, at most {Math.Max(1, branching)} recursive call(s) per frame, {invocations} frame(s) in all");
            s.Derivation.Add($"cycle escaping = {invocations} frames x {perFrame} B = {escaping} B; cycle peak = {depth} x {frameLocal} B + {leavingPeak} B = {peak} B");
            s.Escaping = escaping;
            s.Returned = 0;
            s.Deposited = new long[s.Deposited.Length];
            s.Peak = peak;
            s.FrameLocal = Saturating.Multiply(depth, frameLocal);
            s.CalleePeak = leavingPeak;
            s.ArgumentFates = Enumerable.Repeat(FateSet.Escaping, s.ArgumentFates.Length).ToArray();
        }
    }
}
