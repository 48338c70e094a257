// Loop multipliers: how many times an instruction may run per call of its method, the product of
// the bounds of the loops around it ([MaxIterations] on the method, per loop or for all loops).
// A loop without a bound gives no multiplier (null); the caller decides whether that is an error
// (it is when anything inside the loop allocates). Bad annotations are errors.
using Biscuit.MaxLive.Il;

namespace Biscuit.MaxLive.Analysis;

public sealed class LoopBounds
{
    private readonly List<(Loop Loop, LoopBound? Bound)> _loops = new();

    public LoopBounds(MethodNode method, Annotations annotations, Action<int, string> report)
    {
        var bounds = annotations.LoopBounds(method.Method.Def!.Value);
        foreach (var bound in bounds.Where(b => b.Loop >= method.Loops.Count))
            report(-1, $"{bound.Source} names loop #{bound.Loop}, but the method has {method.Loops.Count} loop(s)");
        var everyLoop = bounds.Where(b => b.Loop < 0).ToList();
        if (everyLoop.Count > 1) report(-1, "more than one [MaxIterations] without Loop = k");
        foreach (var loop in method.Loops)
            _loops.Add((loop, bounds.FirstOrDefault(b => b.Loop == loop.Index) ?? everyLoop.FirstOrDefault()));
    }

    /// <summary>The product of the bounds of the loops containing `offset`, or null if one has no bound.</summary>
    public long? Multiplier(int offset)
    {
        long product = 1;
        foreach (var (loop, bound) in _loops)
        {
            if (!loop.Contains(offset)) continue;
            if (bound == null) return null;
            product = Saturating.Multiply(product, bound.Bound);
        }
        return product;
    }

    /// <summary>The innermost loop around `offset` that has no bound (for error messages).</summary>
    public Loop? UnboundedLoopAround(int offset) =>
        _loops.Where(l => l.Loop.Contains(offset) && l.Bound == null).Select(l => l.Loop).OrderByDescending(l => l.Head).FirstOrDefault();

    /// <summary>"x 4 [MaxIterations(4)]" for the derivation, or "" outside loops.</summary>
    public string Explain(int offset)
    {
        var around = _loops.Where(l => l.Loop.Contains(offset) && l.Bound != null).ToList();
        return around.Count == 0 ? "" : " x " + string.Join(" x ", around.Select(l => $"{l.Bound!.Bound} ({l.Loop}, {l.Bound.Source})"));
    }
}
