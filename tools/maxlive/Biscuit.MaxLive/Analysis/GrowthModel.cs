// How the BCL's collections grow their backing storage, as an upper bound of what the .NET 10
// implementation allocates (read from its source: List<T>.Grow, Queue<T>.Grow, Stack<T>.Grow,
// Dictionary<K,V>.Resize/Initialize, HashSet<T>.Resize/Initialize, HashHelpers.GetPrime).
//   Doubling (List, Queue, Stack): capacities 4, 8, 16, ...; adding element n to a full
//     collection allocates an array of max(4, 2(n-1)) elements.
//   Prime (Dictionary, HashSet): the first add allocates 3 buckets (int) and 3 entries; a full
//     table of c entries resizes to GetPrime(2c) buckets and entries.
// Growth(n) = every array allocated while growing an empty collection to n elements (the sound
//   charge for a collection created by the frame); MaxStep(n) = the largest array(s) one add can
//   allocate when the collection never holds more than n (the charge per add on a long-lived one).
using Biscuit.MaxLive.Layout;
using Biscuit.MaxLive.Metadata;
using TypeLayout = Biscuit.MaxLive.Layout.TypeLayout;

namespace Biscuit.MaxLive.Analysis;

public abstract class GrowthModel
{
    public abstract string Name { get; }
    public abstract long Growth(long count);
    public abstract long MaxStep(long count);
}

public sealed class DoublingGrowth(TypeLayout layout, TypeSig element, string collection) : GrowthModel
{
    public override string Name => $"{collection} doubling growth of {element}[] (4, 8, 16, ...)";

    public override long Growth(long count)
    {
        long total = 0;
        for (long capacity = 0; capacity < count;)
        {
            capacity = capacity == 0 ? 4 : capacity * 2;
            total = Saturating.Add(total, layout.ArraySize(element, capacity));
        }
        return total;
    }

    public override long MaxStep(long count) => count == 0 ? 0 : layout.ArraySize(element, Math.Max(4, 2 * (count - 1)));
}

public sealed class PrimeGrowth(TypeLayout layout, TypeSig entry, string collection) : GrowthModel
{
    public override string Name => $"{collection} prime-sized growth of int[] buckets + {entry}[] entries (3, 7, 17, 37, ...)";

    /// <summary>Bytes of the bucket and entry arrays of a table of `size` slots (0 when size is 0).</summary>
    public long TableBytes(long size) => size == 0 ? 0 : Arrays(size);

    private long Arrays(long size) => Saturating.Add(layout.ArraySize(new PrimitiveSig(System.Reflection.Metadata.PrimitiveTypeCode.Int32), size), layout.ArraySize(entry, size));

    public override long Growth(long count)
    {
        if (count == 0) return 0;
        long size = 3, total = Arrays(3);
        while (size < count)
        {
            size = HashPrimes.GetPrime(2 * size);
            total = Saturating.Add(total, Arrays(size));
        }
        return total;
    }

    public override long MaxStep(long count) => count == 0 ? 0 : Arrays(Math.Max(3, HashPrimes.GetPrime(2 * (count - 1))));
}

/// <summary>The hash-table sizes of System.Collections.HashHelpers (a public list of primes, ~1.2x apart).</summary>
public static class HashPrimes
{
    private static readonly long[] Primes =
    [
        3, 7, 11, 17, 23, 29, 37, 47, 59, 71, 89, 107, 131, 163, 197, 239, 293, 353, 431, 521, 631, 761, 919,
        1103, 1327, 1597, 1931, 2333, 2801, 3371, 4049, 4861, 5839, 7013, 8419, 10103, 12143, 14591,
        17519, 21023, 25229, 30293, 36353, 43627, 52361, 62851, 75431, 90523, 108631, 130363, 156437,
        187751, 225307, 270371, 324449, 389357, 467237, 560689, 672827, 807403, 968897, 1162687, 1395263,
        1674319, 2009191, 2411033, 2893249, 3471899, 4166287, 4999559, 5999471, 7199369,
    ];

    /// <summary>The smallest table size >= min: from the list, else the next prime p with (p-1) % 101 != 0.</summary>
    public static long GetPrime(long min)
    {
        foreach (var prime in Primes)
            if (prime >= min) return prime;
        for (long candidate = min | 1; candidate < long.MaxValue; candidate += 2)
            if (IsPrime(candidate) && (candidate - 1) % 101 != 0) return candidate;
        return min;
    }

    private static bool IsPrime(long candidate)
    {
        for (long divisor = 3; divisor * divisor <= candidate; divisor += 2)
            if (candidate % divisor == 0) return false;
        return true;
    }
}
