// The library summaries and size model against the real runtime: the bytes this thread
// allocates (GC.GetAllocatedBytesForCurrentThread) while doing what a summary describes must
// never exceed what maxlive charges for it. Each action runs once first so one-time
// initialisation (comparers, statics) is not measured.
using Biscuit.MaxLive.Analysis;
using Biscuit.MaxLive.Layout;
using Biscuit.MaxLive.Metadata;
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public class SummaryMeasurementTests
{
    private static long Measure(Action action)
    {
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(100)]
    public void Growing_a_new_list_allocates_no_more_than_the_doubling_model(int count)
    {
        var measured = Measure(() =>
        {
            var list = new List<int>();
            for (int i = 0; i < count; i++) list.Add(i);
            GC.KeepAlive(list);
        });
        var charged = Object(typeof(List<int>)) + DoublingGrowth(sizeof(int), count);
        Assert.True(measured <= charged, $"measured {measured} B > charged {charged} B");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void Growing_a_new_dictionary_allocates_no_more_than_the_prime_model(int count)
    {
        var measured = Measure(() =>
        {
            var table = new Dictionary<int, int>();
            for (int i = 0; i < count; i++) table[i] = i;
            GC.KeepAlive(table);
        });
        var entry = typeof(Dictionary<,>).GetNestedType("Entry", System.Reflection.BindingFlags.NonPublic)!.MakeGenericType(typeof(int), typeof(int));
        long table = 0;
        for (long size = 3, previous = 0; previous < count; previous = size, size = HashPrimes.GetPrime(2 * size))
            table += Array(sizeof(int), size) + Array(Inline(entry), size);
        var charged = Object(typeof(Dictionary<int, int>)) + table;
        Assert.True(measured <= charged, $"measured {measured} B > charged {charged} B");
    }

    [Fact]
    public void One_add_to_a_full_long_lived_list_allocates_no_more_than_its_largest_step()
    {
        static List<long> Full()
        {
            var list = new List<long>();
            for (int i = 0; i < 64; i++) list.Add(i); // capacity 64, full
            return list;
        }
        Full().Add(0); // warm-up
        var full = Full();
        long before = GC.GetAllocatedBytesForCurrentThread();
        full.Add(64); // the 65th element
        var measured = GC.GetAllocatedBytesForCurrentThread() - before;
        var charged = new DoublingGrowth(new TypeLayout(new AssemblySet([FixtureAnalysis.AssemblyPath])),
            new PrimitiveSig(System.Reflection.Metadata.PrimitiveTypeCode.Int64), "List<T>").MaxStep(65);
        Assert.Equal(Array(sizeof(long), 2 * 64), charged);
        Assert.True(measured <= charged, $"measured {measured} B > charged {charged} B");
    }

    [Fact]
    public void String_concat_and_int_to_string_allocate_no_more_than_their_summaries()
    {
        string name = "abcdefghij";
        Assert.True(Measure(() => GC.KeepAlive(string.Concat("Hello, ", name))) <= String(7 + 10));
        int value = int.MinValue;
        Assert.True(Measure(() => GC.KeepAlive(value.ToString())) <= String(11));
    }

    [Fact]
    public void Utf8_round_trips_and_pool_rentals_allocate_no_more_than_their_summaries()
    {
        string text = "h\u00e9llo \u4e16\u754c"; // 1-, 2- and 3-byte UTF-8 sequences
        Assert.True(Measure(() => GC.KeepAlive(System.Text.Encoding.UTF8.GetBytes(text))) <= Array(1, 3 * text.Length));
        var encoded = System.Text.Encoding.UTF8.GetBytes(text);
        Assert.True(Measure(() => GC.KeepAlive(System.Text.Encoding.UTF8.GetString(encoded))) <= String(encoded.Length));
        var pool = System.Buffers.ArrayPool<byte>.Create(); // a fresh pool: the rental must allocate
        Assert.True(Measure(() => GC.KeepAlive(pool.Rent(100))) <= Array(1, 128));
    }

    [Fact]
    public void An_interpolated_string_allocates_no_more_than_its_summary()
    {
        int id = int.MinValue;
        string name = new string('n', 20);
        var measured = Measure(() => GC.KeepAlive($"inode {id} is {name}"));
        Assert.True(measured <= String(6 + 4 + 11 + 20) + Array(sizeof(char), 256), $"measured {measured} B");
    }

    [Fact]
    public void Enumerating_a_dictionarys_values_allocates_no_more_than_its_values_view()
    {
        static long SumValues(Dictionary<int, int> table)
        {
            long sum = 0;
            foreach (var value in table.Values) sum += value;
            return sum;
        }
        SumValues(new Dictionary<int, int> { [1] = 2 }); // warm-up
        var fresh = new Dictionary<int, int> { [1] = 2 };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sum = SumValues(fresh);
        var measured = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, sum);
        Assert.True(measured <= Object(typeof(Dictionary<int, int>.ValueCollection)), $"measured {measured} B");
    }

    [Fact]
    public void Summaries_that_allocate_nothing_allocate_nothing()
    {
        var list = new List<int> { 1, 2, 3 };
        var table = new Dictionary<int, int> { [1] = 1 };
        var text = "hello";
        var bytes = new byte[8];
        long sink = 0; // GC.KeepAlive(int) would box: sum into a long instead
        var measured = Measure(() =>
        {
            sink += list.Count + list[0] + (list.Contains(2) ? 1 : 0) + list.IndexOf(3);
            foreach (var item in list) sink += item;
            sink += table.TryGetValue(1, out var found) ? found : 0;
            sink += table.ContainsKey(2) ? 1 : 0;
            sink += text.Length + text[1] + (text.Equals("hello") ? 1 : 0) + text.GetHashCode();
            sink += bytes.AsSpan().Slice(2, 4).Length + Math.Max(1, 2);
        });
        Assert.NotEqual(0, sink);
        Assert.Equal(0, measured);
    }
}
