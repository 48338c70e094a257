// String interpolation ($"..." compiled to System.Runtime.CompilerServices.DefaultInterpolatedStringHandler,
// C# 10): a summary that needs the frame's state, so it lives with the interpreter. Per handler
// variable it keeps the longest literal length given to a constructor and the most characters each
// hole can add; the string ToStringAndClear returns is at most (longest literal + every hole) chars.
// The handler's scratch buffers come from ArrayPool<char>.Shared (16 * 2^k chars, at least 256,
// doubling up to the final length) and stay in the pool: they are charged as escaping at the
// constructor. Holes must have a known greatest length: integers, char, bool, double/float, strings
// with a bound; alignment/format arguments, spans, objects and other types are refused.
using System.Reflection.Metadata;
using Biscuit.MaxLive.Layout;
using Biscuit.MaxLive.Metadata;
using TypeLayout = Biscuit.MaxLive.Layout.TypeLayout;

namespace Biscuit.MaxLive.Analysis;

public sealed partial class MethodFlow
{
    public const string InterpolationHandler = "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler";

    // Per handler variable (a local or argument slot): longest literal length, and chars per hole site.
    private readonly Dictionary<int, long> _literalLengths = new();
    private readonly Dictionary<int, Dictionary<int, long>> _holeLengths = new();

    private CallEffect Interpolation(MethodRef method, AbstractValue[] args, int offset)
    {
        int arity = args.Length;
        if (args[0].Slots.Count != 1)
            throw new MaxLiveException("the interpolated string handler must live in one local variable");
        int slot = args[0].Slots[0];
        var none = new CallEffect { ArgumentFates = new FateSet[arity], Deposited = new long[arity], Description = $"{method.Name}: interpolation summary" };
        switch (method.Name)
        {
            case ".ctor" when arity == 3:
            {
                if (!(args[1].Exact && args[2].Exact))
                    throw new MaxLiveException("interpolated string handler built with non-constant sizes");
                long literal = args[1].Bound!.Value, holes = args[2].Bound!.Value;
                if (_literalLengths.GetValueOrDefault(slot, -1) < literal) { _literalLengths[slot] = literal; _facts.Changed = true; }
                long total = InterpolatedLength(slot);
                long pooled = 0;
                for (long size = PoolBucket(Math.Max(256, literal + 11 * holes)); ; size = PoolBucket(Math.Max(total, 2 * size)))
                {
                    pooled = Saturating.Add(pooled, _context.Layout.ArraySize(new PrimitiveSig(PrimitiveTypeCode.Char), size));
                    if (size >= total) break;
                }
                none.Escaping = pooled;
                none.Description = $"interpolated string buffers from ArrayPool<char>.Shared for up to {total} chars = {pooled} B (kept by the pool)";
                return none;
            }
            case "AppendLiteral" or "Clear":
                return none; // literals are counted in the constructor's literal length
            case "AppendFormatted" when arity == 2:
            {
                var type = method.MethodArgs.Length == 1 ? method.MethodArgs[0] : method.ParameterTypes.First();
                long chars = HoleLength(type, args[1]);
                var holes = _holeLengths.TryGetValue(slot, out var known) ? known : _holeLengths[slot] = new Dictionary<int, long>();
                if (holes.GetValueOrDefault(offset, -1) < chars) { holes[offset] = chars; _facts.Changed = true; }
                return none;
            }
            case "ToStringAndClear" or "ToString" when arity == 1:
            {
                long total = InterpolatedLength(slot);
                var bytes = TypeLayout.StringSize(total);
                return new CallEffect
                {
                    ArgumentFates = new FateSet[arity], Deposited = new long[arity], Returned = bytes, ResultBound = total,
                    Description = $"interpolated string of at most {total} chars = {bytes} B",
                };
            }
            default:
                throw new MaxLiveException($"{method}: this form of string interpolation (alignment, format, provider, spans or objects) has no summary; interpolate only integers, char, bool, floating point and bounded strings");
        }
    }

    private long InterpolatedLength(int slot) =>
        Saturating.Add(_literalLengths.GetValueOrDefault(slot, 0), (_holeLengths.GetValueOrDefault(slot)?.Values ?? Enumerable.Empty<long>()).Aggregate(0L, Saturating.Add));

    /// <summary>The most characters one hole of this type can add (invariant culture).</summary>
    private static long HoleLength(TypeSig type, AbstractValue value) => type switch
    {
        PrimitiveSig { Code: PrimitiveTypeCode.String } => value.Bound is { } b && b >= 0 ? b
            : throw new MaxLiveException("an interpolated string hole has no bound on its length: mark the field or parameter it comes from with [MaxCount]"),
        PrimitiveSig { Code: PrimitiveTypeCode.Int32 } => 11,
        PrimitiveSig { Code: PrimitiveTypeCode.UInt32 } => 10,
        PrimitiveSig { Code: PrimitiveTypeCode.Int64 or PrimitiveTypeCode.UInt64 } => 20,
        PrimitiveSig { Code: PrimitiveTypeCode.Int16 } => 6,
        PrimitiveSig { Code: PrimitiveTypeCode.UInt16 } => 5,
        PrimitiveSig { Code: PrimitiveTypeCode.Byte } => 3,
        PrimitiveSig { Code: PrimitiveTypeCode.SByte } => 4,
        PrimitiveSig { Code: PrimitiveTypeCode.Char } => 1,
        PrimitiveSig { Code: PrimitiveTypeCode.Boolean } => 5,
        PrimitiveSig { Code: PrimitiveTypeCode.Double } => 24, // shortest round-trip form, e.g. -1.7976931348623157E+308
        PrimitiveSig { Code: PrimitiveTypeCode.Single } => 15,
        PrimitiveSig { Code: PrimitiveTypeCode.IntPtr or PrimitiveTypeCode.UIntPtr } => 20,
        _ => throw new MaxLiveException($"an interpolated string hole of type {type} has no known greatest length; format it into a bounded string first"),
    };

    /// <summary>The array length ArrayPool.Shared hands out for a request of n: 16 * 2^k >= n.</summary>
    private static long PoolBucket(long n)
    {
        long size = 16;
        while (size < n) size *= 2;
        return size;
    }
}
