// The derivation of a request's budget, as `maxlive explain` prints it: the total and its parts,
// the worst stack path (the call chain whose stack-live peak is the largest), and for every
// method the request can reach, each allocation site (size, loop multipliers, fate) and call.
namespace Biscuit.MaxLive.Analysis;

public static class Explanation
{
    public static List<string> Derive(string request, string handlerKey, CallGraph graph, Dictionary<string, MethodSummary> summaries, HashSet<string> reachable)
    {
        var lines = new List<string>();
        var handler = summaries[handlerKey];
        var deposited = handler.Deposited.Aggregate(0L, Saturating.Add);
        lines.Add($"{request} = escaping {Saturating.Add(handler.Escaping, deposited)} B (of which {deposited} B stored into `this` or the request) + returned {handler.Returned} B + stack-live peak {handler.Peak} B = {handler.Total} B");
        lines.Add("worst stack path: " + string.Join(" -> ", WorstPath(handlerKey, graph, summaries)));
        foreach (var key in Order(handlerKey, graph, reachable))
        {
            var s = summaries[key];
            lines.Add($"{graph.Nodes[key].Method}: escaping {s.Escaping} B, returned {s.Returned} B, stored into arguments {s.Deposited.Aggregate(0L, Saturating.Add)} B, frame {s.FrameLocal} B, peak {s.Peak} B");
            lines.AddRange(s.Derivation.Select(d => "    " + d));
        }
        return lines;
    }

    private static IEnumerable<string> WorstPath(string root, CallGraph graph, Dictionary<string, MethodSummary> summaries)
    {
        var seen = new HashSet<string>();
        for (string? key = root; key != null && seen.Add(key);)
        {
            var s = summaries[key];
            yield return $"{graph.Nodes[key].Method.Name} ({s.FrameLocal} B)";
            key = s.Calls.Where(c => c.Peak == s.CalleePeak && c.Peak > 0).Select(c => c.Callee).FirstOrDefault();
        }
    }

    /// <summary>Reachable methods, depth-first from the handler, each once.</summary>
    private static List<string> Order(string root, CallGraph graph, HashSet<string> reachable)
    {
        var order = new List<string>();
        var seen = new HashSet<string>();
        var work = new Stack<string>([root]);
        while (work.Count > 0)
        {
            var key = work.Pop();
            if (!reachable.Contains(key) || !seen.Add(key)) continue;
            order.Add(key);
            foreach (var next in graph.Nodes[key].Sites.Values.OrderByDescending(s => s.Offset).SelectMany(s => s.Targets))
                work.Push(next);
        }
        return order;
    }
}
