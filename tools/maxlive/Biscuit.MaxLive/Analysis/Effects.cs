// Building CallEffects: from an analysed method's summary, and the join of several possible
// targets of one call site (virtual dispatch): fates are united and every byte count is the
// maximum, since exactly one target runs per call.
namespace Biscuit.MaxLive.Analysis;

public static class Effects
{
    public static CallEffect FromSummary(MethodSummary summary) => new()
    {
        ArgumentFates = summary.ArgumentFates.ToArray(),
        Escaping = summary.Escaping,
        Returned = summary.Returned,
        Deposited = summary.Deposited.ToArray(),
        Peak = summary.Peak,
        ResultBound = summary.ResultBound,
        Description = summary.Method,
    };

    /// <summary>The effect of an open static delegate target seen from the Invoke call site: argument 0 is the delegate, which the target never sees.</summary>
    public static CallEffect ShiftForDelegate(CallEffect effect) => new()
    {
        ArgumentFates = new[] { FateSet.None }.Concat(effect.ArgumentFates.Select(f => new FateSet(f.Escapes, f.Returned, f.IntoParams << 1))).ToArray(),
        Deposited = new long[] { 0 }.Concat(effect.Deposited).ToArray(),
        Escaping = effect.Escaping,
        Returned = effect.Returned,
        Peak = effect.Peak,
        ResultBound = effect.ResultBound,
        Description = effect.Description,
    };

    /// <summary>The effect of "one of a or b runs".</summary>
    public static CallEffect Max(CallEffect a, CallEffect b)
    {
        int arity = Math.Max(a.ArgumentFates.Length, b.ArgumentFates.Length);
        var fates = new FateSet[arity];
        var deposited = new long[Math.Max(a.Deposited.Length, b.Deposited.Length)];
        for (int i = 0; i < arity; i++)
            fates[i] = At(a.ArgumentFates, i).Union(At(b.ArgumentFates, i));
        for (int i = 0; i < deposited.Length; i++)
            deposited[i] = Math.Max(i < a.Deposited.Length ? a.Deposited[i] : 0, i < b.Deposited.Length ? b.Deposited[i] : 0);
        return new CallEffect
        {
            ArgumentFates = fates,
            Deposited = deposited,
            Escaping = Math.Max(a.Escaping, b.Escaping),
            Returned = Math.Max(a.Returned, b.Returned),
            Peak = Math.Max(a.Peak, b.Peak),
            ResultBound = a.ResultBound is { } x && b.ResultBound is { } y ? Math.Max(x, y) : null,
            Growth = a.Growth ?? b.Growth,
            Description = a.Description + " | " + b.Description,
        };
    }

    private static FateSet At(FateSet[] fates, int i) => i < fates.Length ? fates[i] : FateSet.Escaping;

    /// <summary>The effect assumed for a call inside a recursive cycle before the cycle is summed: arguments escape, no bytes.</summary>
    public static CallEffect Recursive(int arity) => new()
    {
        ArgumentFates = Enumerable.Repeat(FateSet.Escaping, arity).ToArray(),
        Deposited = new long[arity],
        Description = "recursive call (accounted by the cycle's bound)",
    };
}
