// Loops: an allocation inside a loop is multiplied by the loop's bound ([MaxIterations] with a
// number, a const's name, or per loop); an allocating loop without a bound is an error naming
// the method and the IL offset, never a silent zero.
using MaxLiveFixtures;
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public class LoopBudgetTests
{
    [Fact]
    public void An_allocation_in_a_bounded_loop_is_multiplied_by_the_bound()
    {
        Assert.Equal(10 * Object(typeof(Node)), FixtureAnalysis.Clean("BoundedLoop").Bytes);
    }

    [Fact]
    public void A_bound_named_after_a_const_field_uses_the_consts_value()
    {
        Assert.Equal(Limits.MaxPath * Object(typeof(Node)), FixtureAnalysis.Clean("NamedBound").Bytes);
    }

    [Fact]
    public void Nested_loops_multiply_their_own_bounds()
    {
        var expected = 3 * Object(typeof(Pair)) + 3 * 4 * Object(typeof(Empty));
        Assert.Equal(expected, FixtureAnalysis.Clean("NestedLoops").Bytes);
    }

    [Fact]
    public void An_allocating_loop_without_a_bound_is_an_error_naming_method_and_il_offset()
    {
        var budget = FixtureAnalysis.Request("UnboundedLoop");
        Assert.False(budget.Ok);
        Assert.Equal(-1, budget.Bytes);
        var offset = FixtureAnalysis.OffsetOf(FixtureAnalysis.Method(typeof(Loops), "UnboundedLoop"),
            FixtureAnalysis.Newobj, typeof(Node).GetConstructor(Type.EmptyTypes)!.MetadataToken);
        var error = Assert.Single(budget.Errors);
        Assert.Contains($"MaxLiveFixtures.Loops::UnboundedLoop(int) at {offset}", error);
        Assert.Contains("allocation in a loop without a bound", error);
        Assert.Contains("[MaxIterations", error);
    }

    [Fact]
    public void A_loop_that_allocates_nothing_needs_no_bound()
    {
        var budget = FixtureAnalysis.Clean("LoopWithoutAllocation");
        Assert.Equal(0, budget.Bytes);
    }
}
