// Finds the loops of a method body. A loop is identified by its head: the target of one or more
// backward branches (target offset <= branch offset); its body is the IL range from the head to
// the last backward branch to it. This is how C# compiles for/while/do/foreach. Soundness check:
// every instruction on a control-flow cycle (a strongly connected component of the flow graph,
// exception edges included) must lie inside some loop range, otherwise the method has a loop this
// model cannot describe and analysing it is refused (an error, never a silent zero).
using System.Reflection.Metadata;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Il;

/// <summary>A loop: instructions at offsets Head..End (inclusive); Index orders loops by head.</summary>
public sealed record Loop(int Index, int Head, int End)
{
    public bool Contains(int offset) => Head <= offset && offset <= End;
    public override string ToString() => $"loop #{Index} ({Instruction.Label(Head)}..{Instruction.Label(End)})";
}

public static class LoopFinder
{
    public static List<Loop> Find(IReadOnlyList<Instruction> code, MethodBodyBlock body, string methodName)
    {
        var lastBackEdge = new SortedDictionary<int, int>(); // head -> greatest offset of a branch back to it
        foreach (var instruction in code)
            foreach (var target in instruction.Targets ?? [])
                if (target <= instruction.Offset)
                    lastBackEdge[target] = Math.Max(lastBackEdge.GetValueOrDefault(target, target), instruction.Offset);
        var loops = lastBackEdge.Select((pair, i) => new Loop(i, pair.Key, pair.Value)).ToList();
        CheckEveryCycleIsALoop(code, body, loops, methodName);
        return loops;
    }

    private static void CheckEveryCycleIsALoop(IReadOnlyList<Instruction> code, MethodBodyBlock body, List<Loop> loops, string methodName)
    {
        var indexOf = new Dictionary<int, int>();
        for (int i = 0; i < code.Count; i++) indexOf[code[i].Offset] = i;
        var successors = new List<int>[code.Count];
        for (int i = 0; i < code.Count; i++)
        {
            successors[i] = new List<int>();
            var instruction = code[i];
            if (!IlDecoder.EndsBlock(instruction.OpCode) && i + 1 < code.Count) successors[i].Add(i + 1);
            foreach (var target in instruction.Targets ?? [])
            {
                if (!indexOf.TryGetValue(target, out var t))
                    throw new MaxLiveException($"{methodName}: branch at {instruction} targets {Instruction.Label(target)}, which is not an instruction boundary");
                successors[i].Add(t);
            }
        }
        foreach (var region in body.ExceptionRegions)
        {
            if (!indexOf.TryGetValue(region.HandlerOffset, out var handler)) continue;
            for (int i = 0; i < code.Count; i++)
                if (code[i].Offset >= region.TryOffset && code[i].Offset < region.TryOffset + region.TryLength)
                    successors[i].Add(handler);
        }
        foreach (var component in StronglyConnected(successors))
        {
            bool cyclic = component.Count > 1 || successors[component[0]].Contains(component[0]);
            if (!cyclic) continue;
            foreach (var node in component)
                if (!loops.Any(l => l.Contains(code[node].Offset)))
                    throw new MaxLiveException(
                        $"{methodName}: {Instruction.Label(code[node].Offset)} is on a control-flow cycle that is not a loop with a single backward branch range; maxlive cannot bound it (restructure the loop)");
        }
    }

    /// <summary>Tarjan's strongly connected components, iterative so deep bodies cannot overflow the stack.</summary>
    private static List<List<int>> StronglyConnected(List<int>[] successors)
    {
        int n = successors.Length, counter = 0;
        var index = Enumerable.Repeat(-1, n).ToArray();
        var low = new int[n];
        var onStack = new bool[n];
        var stack = new Stack<int>();
        var result = new List<List<int>>();
        for (int root = 0; root < n; root++)
        {
            if (index[root] >= 0) continue;
            var work = new Stack<(int Node, int Edge)>();
            work.Push((root, 0));
            index[root] = low[root] = counter++;
            stack.Push(root); onStack[root] = true;
            while (work.Count > 0)
            {
                var (node, edge) = work.Pop();
                if (edge < successors[node].Count)
                {
                    work.Push((node, edge + 1));
                    var next = successors[node][edge];
                    if (index[next] < 0)
                    {
                        index[next] = low[next] = counter++;
                        stack.Push(next); onStack[next] = true;
                        work.Push((next, 0));
                    }
                    else if (onStack[next]) low[node] = Math.Min(low[node], index[next]);
                    continue;
                }
                if (work.Count > 0) { var parent = work.Peek().Node; low[parent] = Math.Min(low[parent], low[node]); }
                if (low[node] != index[node]) continue;
                var component = new List<int>();
                int member;
                do { member = stack.Pop(); onStack[member] = false; component.Add(member); } while (member != node);
                result.Add(component);
            }
        }
        return result;
    }
}
