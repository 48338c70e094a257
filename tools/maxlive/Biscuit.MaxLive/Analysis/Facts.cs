// The records the analysis passes between its stages: where an object may end up (FateSet), the
// allocation nodes of one frame (Node), what a call does to its arguments and the heap
// (CallEffect), and the summary of an analysed method (MethodSummary). Byte counts are per
// execution of the frame (loop multipliers already applied) and saturate at long.MaxValue.
namespace Biscuit.MaxLive.Analysis;

/// <summary>Where an object a frame sees may end up. Empty: it dies with the frame.</summary>
public readonly record struct FateSet(bool Escapes, bool Returned, ulong IntoParams)
{
    public static readonly FateSet None = default;
    public static readonly FateSet Escaping = new(true, false, 0);
    public static readonly FateSet ToReturn = new(false, true, 0);
    public static FateSet IntoParam(int index) => index < 64 ? new(false, false, 1UL << index) : Escaping;

    public bool IsEmpty => !Escapes && !Returned && IntoParams == 0;
    public FateSet Union(FateSet other) => new(Escapes || other.Escapes, Returned || other.Returned, IntoParams | other.IntoParams);
    public IEnumerable<int> Params() { for (int i = 0; i < 64; i++) if ((IntoParams & (1UL << i)) != 0) yield return i; }

    public override string ToString() => IsEmpty ? "stack-only"
        : string.Join("+", new[] { Escapes ? "escapes" : null, Returned ? "returned" : null }
            .Concat(Params().Select(p => $"stored-into-arg{p}")).Where(s => s != null));
}

public enum NodeKind { Parameter, Allocation, CallResult, CallDeposit, StructValue }

/// <summary>One abstract object of a frame: an allocation site, a call's returned or deposited bytes, or a parameter.</summary>
public sealed class Node(int id, NodeKind kind, int offset, string description)
{
    public int Id { get; } = id;
    public NodeKind Kind { get; } = kind;
    public int Offset { get; } = offset;
    public string Description { get; set; } = description;
    /// <summary>Bytes per execution of the instruction (before the loop multiplier).</summary>
    public long Bytes { get; set; }
    /// <summary>Product of the bounds of the loops around the instruction.</summary>
    public long Multiplier { get; set; } = 1;
    public long Total => Saturating.Multiply(Bytes, Multiplier);
    public FateSet Fate { get; set; }
    /// <summary>
    /// For an object made by newobj: the capacity it starts with when known exactly (0 for a
    /// parameterless constructor, c for a constructor called with the constant c), else null.
    /// Collection growth is only tracked from a known capacity.
    /// </summary>
    public long? InitialCapacity { get; set; }
}

/// <summary>What one call does, as seen by its caller (the max over all possible targets).</summary>
public sealed class CallEffect
{
    /// <summary>Fate of each argument (IL numbering: 0 is `this` for instance methods).</summary>
    public FateSet[] ArgumentFates { get; init; } = [];
    public long Escaping { get; set; }
    public long Returned { get; set; }
    /// <summary>Bytes the callee stores into the objects its arguments point to, per argument.</summary>
    public long[] Deposited { get; init; } = [];
    public long Peak { get; set; }
    /// <summary>A bound on the returned value (string length, integer), when known.</summary>
    public long? ResultBound { get; set; }
    public string Description { get; set; } = "";
    /// <summary>A collection-growth call: the receiver (argument 0) grows by at most one element.</summary>
    public GrowthModel? Growth { get; init; }
}

/// <summary>The summary of an analysed method: the budget a call to it needs.</summary>
public sealed class MethodSummary
{
    public required string Method { get; init; }
    public FateSet[] ArgumentFates { get; set; } = [];
    public long Escaping { get; set; }
    public long Returned { get; set; }
    public long[] Deposited { get; set; } = [];
    public long Peak { get; set; }
    /// <summary>Bytes that die with this frame (part of Peak).</summary>
    public long FrameLocal { get; set; }
    /// <summary>The largest peak of a single call this frame makes (the rest of Peak).</summary>
    public long CalleePeak { get; set; }
    public long? ResultBound { get; set; }
    /// <summary>Human-readable derivation lines (sites, sizes, multipliers, calls), for `maxlive explain`.</summary>
    public List<string> Derivation { get; } = new();
    /// <summary>Call sites of this method with their callee keys and the callee's peak, to print the worst path.</summary>
    public List<(int Offset, string Callee, long Peak)> Calls { get; } = new();

    public long Total => Saturating.Add(Saturating.Add(Escaping, Returned), Saturating.Add(Deposited.Aggregate(0L, Saturating.Add), Peak));
}

public static class Saturating
{
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
    public static long Multiply(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;
}
