// Turns one method's flow facts into its summary (Biscuit's rule, per frame):
//   escaping  = sum of its nodes that escape x loop multiplier + sum over calls of callee escaping x multiplier
//   returned  = sum of nodes that reach its return value
//   deposited = per argument, sum of nodes stored into objects the argument points to
//   frame     = sum of nodes that die with the frame (stack-only)
//   peak      = frame + max over its calls of the callee's peak (callees run one at a time)
// Collections the frame creates and grows are charged their whole growth (GrowthModel.Growth of
// the number of adds, each add counted with its loop multiplier) when created empty, nothing when
// created with a constant capacity at least the number of adds, and are refused otherwise. Any allocation under a loop
// without a bound is an error at the allocating instruction.
using Biscuit.MaxLive.Il;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Analysis;

public static class FrameBudget
{
    public static MethodSummary Summarize(MethodNode method, MethodFlow flow, LoopBounds loops, AnalysisContext context, HashSet<int> recursiveSites,
        Func<string, long?> peakOf)
    {
        int arity = (method.Method.HasThis ? 1 : 0) + method.Method.Signature.ParameterTypes.Length;
        var summary = new MethodSummary
        {
            Method = method.Method.ToString(),
            ArgumentFates = new FateSet[arity],
            Deposited = new long[arity],
            ResultBound = context.Annotations.ReturnCountBound(method.Method.Def!.Value),
        };
        var growthByNode = flow.GrowthCalls.Values.GroupBy(g => g.Node).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var node in flow.Nodes)
        {
            if (node.Kind == NodeKind.Parameter)
            {
                summary.ArgumentFates[node.Offset] = node.Fate;
                if (!node.Fate.IsEmpty) summary.Derivation.Add($"{node.Description}: {node.Fate}");
                continue;
            }
            long bytes = node.Bytes;
            var what = node.Description;
            if (growthByNode.TryGetValue(node.Id, out var growth))
            {
                if (flow.Facts.PassedAway.Contains(node.Id) || flow.Facts.ContainedIn.ContainsKey(node.Id))
                {
                    foreach (var call in growth)
                        flow.Report(call.Offset, "cannot bound the size of this collection: it is handed to other code or stored in another object; mark the field or parameter that holds it with [MaxCount]");
                    continue;
                }
                long adds = 0;
                foreach (var call in growth)
                {
                    if (loops.Multiplier(call.Offset) is not { } m)
                    {
                        flow.Report(call.Offset, $"unbounded loop grows a collection: {UnboundedMessage(loops, call.Offset)}");
                        continue;
                    }
                    adds = Saturating.Add(adds, m);
                }
                var model = growth[0].Model;
                long grown;
                if (node.InitialCapacity == 0)
                {
                    grown = model.Growth(adds);
                    what = $"{what} + growth to {adds} element(s): {model.Name} = {grown} B";
                }
                else if (node.InitialCapacity is { } capacity && capacity >= adds)
                {
                    grown = 0;
                    what = $"{what}, created with capacity {capacity} >= {adds} add(s): no growth";
                }
                else
                {
                    foreach (var call in growth)
                        flow.Report(call.Offset, $"cannot bound the growth of this collection: it is created with a capacity that is not a constant of at least {adds} (the number of adds); use the parameterless constructor or a larger constant capacity");
                    continue;
                }
                bytes = Saturating.Add(bytes, grown);
            }
            node.Bytes = bytes;
            if (bytes == 0) continue;
            if (loops.Multiplier(node.Offset) is not { } multiplier)
            {
                flow.Report(node.Offset, $"allocation in a loop without a bound: {node.Description}; {UnboundedMessage(loops, node.Offset)}");
                continue;
            }
            node.Multiplier = multiplier;
            var total = node.Total;
            var fate = node.Fate;
            if (fate.Escapes) summary.Escaping = Saturating.Add(summary.Escaping, total);
            else if (!fate.IsEmpty)
            {
                if (fate.Returned) summary.Returned = Saturating.Add(summary.Returned, total);
                foreach (var p in fate.Params())
                    if (p < arity) summary.Deposited[p] = Saturating.Add(summary.Deposited[p], total);
            }
            else summary.FrameLocal = Saturating.Add(summary.FrameLocal, total);
            summary.Derivation.Add($"{Instruction.Label(node.Offset)} {what}{loops.Explain(node.Offset)} = {total} B -> {fate}");
        }
        long worstCall = 0;
        foreach (var (offset, effect) in flow.CallEffects.OrderBy(e => e.Key))
        {
            if (recursiveSites.Contains(offset)) continue;
            var site = method.Sites[offset];
            if (effect.Escaping > 0)
            {
                if (loops.Multiplier(offset) is not { } m)
                    flow.Report(offset, $"call in a loop without a bound makes {effect.Escaping} B escape: {UnboundedMessage(loops, offset)}");
                else
                {
                    var total = Saturating.Multiply(effect.Escaping, m);
                    summary.Escaping = Saturating.Add(summary.Escaping, total);
                    summary.Derivation.Add($"{Instruction.Label(offset)} call {site.Declared.Name}: escaping {effect.Escaping} B{loops.Explain(offset)} = {total} B");
                }
            }
            if (effect.Peak > 0)
            {
                summary.Derivation.Add($"{Instruction.Label(offset)} call {site.Declared.Name}: stack-live peak {effect.Peak} B while it runs");
                foreach (var target in site.Targets)
                    if (peakOf(target) is { } targetPeak) summary.Calls.Add((offset, target, targetPeak));
            }
            worstCall = Math.Max(worstCall, effect.Peak);
        }
        summary.CalleePeak = worstCall;
        summary.Peak = Saturating.Add(summary.FrameLocal, worstCall);
        return summary;
    }

    private static string UnboundedMessage(LoopBounds loops, int offset) =>
        loops.UnboundedLoopAround(offset) is { } loop
            ? $"{loop} has no bound; annotate the method with [MaxIterations(n)] (or [MaxIterations(n, Loop = {loop.Index})])"
            : "no bound";
}
