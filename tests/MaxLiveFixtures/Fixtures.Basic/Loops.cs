// Loops: bounded by a number, by a named constant, per loop, and one without a bound (an error).
using System.Collections.Generic;
using Biscuit.Annotations;

namespace MaxLiveFixtures;

public sealed class Loops
{
    [RequestHandler("BoundedLoop")]
    [MaxIterations(10)]
    public void BoundedLoop(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var node = new Node();
            GC.KeepAlive(node);
        }
    }

    [RequestHandler("NamedBound")]
    [MaxIterations(nameof(Limits.MaxPath))]
    public void NamedBound(int n)
    {
        for (int i = 0; i < n; i++)
            GC.KeepAlive(new Node());
    }

    [RequestHandler("NestedLoops")]
    [MaxIterations(3, Loop = 0)]
    [MaxIterations(4, Loop = 1)]
    public void NestedLoops(int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            GC.KeepAlive(new Pair());
            for (int c = 0; c < columns; c++)
                GC.KeepAlive(new Empty());
        }
    }

    [RequestHandler("UnboundedLoop")]
    public void UnboundedLoop(int n)
    {
        for (int i = 0; i < n; i++)
            GC.KeepAlive(new Node());
    }

    [RequestHandler("LoopWithoutAllocation")]
    public int LoopWithoutAllocation(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++) sum += i;
        return sum;
    }

    [RequestHandler("ListGrowth")]
    [MaxIterations(10)]
    public int ListGrowth(int n)
    {
        var list = new List<int>();
        for (int i = 0; i < n; i++) list.Add(i);
        return list.Count;
    }

    [RequestHandler("DictionaryGrowth")]
    [MaxIterations(5)]
    public int DictionaryGrowth(int n)
    {
        var table = new Dictionary<int, int>();
        for (int i = 0; i < n; i++) table[i] = i;
        return table.Count;
    }

    [RequestHandler("CapacityList")]
    [MaxIterations(10)]
    public int CapacityList(int n)
    {
        var list = new List<int>(16);
        for (int i = 0; i < n; i++) list.Add(i);
        return list.Count;
    }

    private readonly Dictionary<int, int> _table = new();

    [RequestHandler("SumValues")]
    public int SumValues()
    {
        int sum = 0;
        foreach (var value in _table.Values) sum += value; // no allocation inside: no bound needed
        return sum;
    }

    private static object s_found;

    [RequestHandler("ThroughTryGetValue")]
    public void ThroughTryGetValue()
    {
        var table = new Dictionary<int, object>();
        table.Add(1, new Empty());
        if (table.TryGetValue(1, out var found))
            s_found = found; // an element handed back through an out parameter escapes
    }

    [MaxCount(100)] private readonly List<long> _history = new();
    private readonly List<long> _unbounded = new();

    [RequestHandler("LongLivedList")]
    public void LongLivedList(long value) => _history.Add(value);

    [RequestHandler("UnboundedList")]
    public void UnboundedList(long value) => _unbounded.Add(value);
}
