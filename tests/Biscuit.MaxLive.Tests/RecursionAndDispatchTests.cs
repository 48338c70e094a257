// Recursion bounds ([MaxRecursion]) and virtual dispatch resolved over every implementation in
// the analysed assemblies (the maximum is taken).
using MaxLiveFixtures;
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public class RecursionAndDispatchTests
{
    [Fact]
    public void Bounded_recursion_keeps_depth_frames_of_stack_live_objects()
    {
        var budget = FixtureAnalysis.Clean("BoundedRecursion");
        Assert.Equal(0, budget.Escaping);
        Assert.Equal(5 * Array(1, 8), budget.Peak); // [MaxRecursion(5)], a byte[8] per frame
    }

    [Fact]
    public void Branching_recursion_counts_every_invocation_of_the_call_tree_for_escaping_objects()
    {
        // [MaxRecursion(3)], two recursive calls per frame: 1 + 2 + 4 = 7 frames, each storing an Empty in a static.
        Assert.Equal(7 * Object(typeof(Empty)), FixtureAnalysis.Clean("TreeRecursion").Escaping);
    }

    [Fact]
    public void Allocating_recursion_without_a_bound_is_an_error_at_the_recursive_call()
    {
        var forever = FixtureAnalysis.Method(typeof(Calls), "Forever");
        var offset = FixtureAnalysis.OffsetOf(forever, FixtureAnalysis.Call, forever.MetadataToken);
        var budget = FixtureAnalysis.Request("UnboundedRecursion");
        var error = Assert.Single(budget.Errors);
        Assert.Contains($"MaxLiveFixtures.Calls::Forever(int) at {offset}", error);
        Assert.Contains("[MaxRecursion", error);
        Assert.Equal(-1, budget.Bytes);
    }

    [Fact]
    public void Recursion_that_allocates_nothing_needs_no_bound()
    {
        Assert.Equal(0, FixtureAnalysis.Clean("RecursionWithoutAllocation").Bytes);
    }

    [Fact]
    public void A_virtual_call_takes_the_maximum_over_all_four_implementations()
    {
        // Returned objects: Empty 24, Node 32, byte[64] 88, nothing; scratch peaks: 0, 0, 0, byte[200] 224.
        var returned = new[] { Object(typeof(Empty)), Object(typeof(Node)), Array(1, 64), 0 }.Max();
        var scratch = new[] { 0, 0, 0, Array(1, 200) }.Max();
        var budget = FixtureAnalysis.Clean("Virtual");
        Assert.Equal(returned, budget.Escaping); // the result is stored into this
        Assert.Equal(scratch, budget.Peak);
        Assert.Equal(88 + 224, budget.Bytes);
    }

    [Fact]
    public void An_interface_call_takes_the_maximum_over_its_three_implementations_including_explicit_ones()
    {
        // Returned arrays: byte[4] 32, byte[16] 40, byte[48] 72; LargeCodec also keeps a Node (32) while it runs.
        var budget = FixtureAnalysis.Clean("Interface");
        Assert.Equal(0, budget.Escaping);
        Assert.Equal(new[] { Array(1, 4), Array(1, 16), Array(1, 48) }.Max() + Object(typeof(Node)), budget.Peak);
        Assert.Equal(72 + 32, budget.Bytes);
    }

    [Fact]
    public void A_closure_counts_its_display_class_and_its_delegate()
    {
        var closureClass = typeof(Dispatch).GetNestedTypes(System.Reflection.BindingFlags.NonPublic).Single(t => t.Name.Contains("DisplayClass"));
        var budget = FixtureAnalysis.Clean("Closure");
        Assert.Equal(Object(closureClass) + Object(typeof(Func<int>)), budget.Bytes);
        Assert.Equal(24 + 64, budget.Bytes);
    }

    [Fact]
    public void An_argument_passed_through_a_static_method_delegate_follows_the_targets_parameter_fate()
    {
        // Keep(object) stores its argument in a static: the Empty escapes. The compiler caches the
        // method-group delegate in a static field, so the delegate escapes too.
        var budget = FixtureAnalysis.Clean("StaticDelegate");
        Assert.Equal(Object(typeof(Func<object, int>)) + Object(typeof(Empty)), budget.Escaping);
        Assert.Equal(0, budget.Peak);
    }

    [Fact]
    public void Explain_names_the_worst_stack_path_through_the_target_with_the_largest_peak()
    {
        var derivation = FixtureAnalysis.Clean("Virtual").Derivation;
        Assert.Contains($"worst stack path: Virtual (0 B) -> Make ({Array(1, 200)} B)", derivation);
        Assert.Contains(derivation, line => line.Contains("new System.Byte[200] (224 B) = 224 B -> stack-only"));
    }

    [Fact]
    public void A_delegate_call_only_reaches_methods_made_into_that_delegate_type()
    {
        // A Maker lambda of the same shape allocates byte[100]; a Func<object> can never hold it.
        var budget = FixtureAnalysis.Clean("DelegateType");
        Assert.Equal(Object(typeof(Empty)), budget.Returned);
        Assert.DoesNotContain(budget.Derivation, line => line.Contains("System.Byte[100]"));
    }
}
