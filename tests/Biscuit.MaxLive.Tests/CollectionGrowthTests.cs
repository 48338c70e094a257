// Library collection growth (BCL summaries): a collection the handler creates is charged every
// backing array it may allocate while growing to the number of adds (List: 4, 8, 16, ...;
// Dictionary: 3, 7, 17, ... buckets and entries); a long-lived collection needs [MaxCount] and each
// add is charged the largest single resize; without a bound the analysis refuses the request.
using System.Reflection;
using MaxLiveFixtures;
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public class CollectionGrowthTests
{
    [Fact]
    public void List_add_in_a_bounded_loop_charges_the_list_and_every_backing_array_up_to_the_bound()
    {
        var expected = Object(typeof(List<int>)) + DoublingGrowth(sizeof(int), 10);
        Assert.Equal(32 + (40 + 56 + 88), expected); // List<int>: _items, _size, _version; int[4], int[8], int[16]
        var budget = FixtureAnalysis.Clean("ListGrowth");
        Assert.Equal(expected, budget.Peak);
        Assert.Equal(expected, budget.Bytes);
    }

    [Fact]
    public void A_list_created_with_a_constant_capacity_covering_every_add_never_grows()
    {
        Assert.Equal(Object(typeof(List<int>)) + Array(sizeof(int), 16), FixtureAnalysis.Clean("CapacityList").Bytes);
    }

    [Fact]
    public void Dictionary_growth_follows_the_prime_table_sizes()
    {
        var entry = typeof(Dictionary<,>).GetNestedType("Entry", BindingFlags.NonPublic)!.MakeGenericType(typeof(int), typeof(int));
        long Table(long size) => Array(sizeof(int), size) + Array(Inline(entry), size);
        // Five adds: the first allocates 3 buckets and entries, the fourth resizes to GetPrime(2 * 3) = 7.
        var expected = Object(typeof(Dictionary<int, int>)) + Table(3) + Table(7);
        Assert.Equal(expected, FixtureAnalysis.Clean("DictionaryGrowth").Bytes);
    }

    [Fact]
    public void An_element_returned_through_an_out_parameter_and_stored_in_a_static_escapes_with_its_collection()
    {
        var entry = typeof(Dictionary<,>).GetNestedType("Entry", BindingFlags.NonPublic)!.MakeGenericType(typeof(int), typeof(object));
        var table = Object(typeof(Dictionary<int, object>)) + Array(sizeof(int), 3) + Array(Inline(entry), 3);
        var budget = FixtureAnalysis.Clean("ThroughTryGetValue");
        Assert.Equal(table + Object(typeof(Empty)), budget.Escaping);
        Assert.Equal(0, budget.Peak);
    }

    [Fact]
    public void Enumerating_a_long_lived_dictionarys_values_charges_its_cached_values_view_as_escaping()
    {
        var budget = FixtureAnalysis.Clean("SumValues");
        Assert.Equal(Object(typeof(Dictionary<int, int>.ValueCollection)), budget.Escaping);
        Assert.Equal(budget.Escaping, budget.Bytes);
    }

    [Fact]
    public void An_add_to_a_long_lived_list_with_MaxCount_is_charged_its_largest_resize_as_escaping()
    {
        // Adding the 100th element to a full list of 99 allocates max(4, 2 * 99) = 198 slots.
        var budget = FixtureAnalysis.Clean("LongLivedList");
        Assert.Equal(Array(sizeof(long), 198), budget.Escaping);
        Assert.Equal(1608, budget.Bytes);
    }

    [Fact]
    public void An_add_to_a_collection_of_unknown_size_is_an_error_asking_for_MaxCount()
    {
        var budget = FixtureAnalysis.Request("UnboundedList");
        var offset = FixtureAnalysis.OffsetOfCall(FixtureAnalysis.Method(typeof(Loops), "UnboundedList"),
            m => m.DeclaringType == typeof(List<long>) && m.Name == "Add");
        var error = Assert.Single(budget.Errors);
        Assert.Contains($"MaxLiveFixtures.Loops::UnboundedList(long) at {offset}", error);
        Assert.Contains("cannot bound the size of this collection", error);
        Assert.Contains("[MaxCount]", error);
        Assert.Equal(-1, budget.Bytes);
    }
}
