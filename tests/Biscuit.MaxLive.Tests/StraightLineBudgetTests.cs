// Straight-line handlers: which objects count for the whole request (escaping) and which only
// while their frame is live (stack-only), following Biscuit's rule
// max live = escaping + max over call paths of stack-live.
using MaxLiveFixtures;
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public class StraightLineBudgetTests
{
    [Fact]
    public void Objects_that_never_leave_the_frame_count_as_stack_live_only()
    {
        var budget = FixtureAnalysis.Clean("StackOnly");
        var expected = Object(typeof(Empty)) + Array(1, 16) + Object(typeof(Node));
        Assert.Equal(96, expected); // 24 + 40 + 32, by the size rules
        Assert.Equal(0, budget.Escaping);
        Assert.Equal(expected, budget.Peak);
        Assert.Equal(expected, budget.Bytes);
    }

    [Fact]
    public void Objects_stored_into_this_or_a_static_field_escape_and_count_fully()
    {
        var budget = FixtureAnalysis.Clean("Escapes");
        Assert.Equal(Object(typeof(Node)) + Array(1, 8), budget.Escaping);
        Assert.Equal(Object(typeof(Pair)), budget.Peak);
        Assert.Equal(budget.Escaping + budget.Peak, budget.Bytes);
    }

    [Fact]
    public void An_object_stored_inside_an_escaping_object_escapes_too()
    {
        var budget = FixtureAnalysis.Clean("ContainedEscapes");
        Assert.Equal(Object(typeof(Node)) + Object(typeof(Pair)), budget.Escaping);
        Assert.Equal(0, budget.Peak);
    }

    [Fact]
    public void A_load_through_a_ref_that_may_point_to_either_local_makes_both_objects_escape()
    {
        var budget = FixtureAnalysis.Clean("ThroughRef");
        Assert.Equal(Object(typeof(Empty)) + Object(typeof(Node)), budget.Escaping);
        Assert.Equal(0, budget.Peak);
    }

    [Fact]
    public void An_object_a_callee_wraps_inside_an_argument_is_found_again_when_the_caller_reads_the_wrapper()
    {
        var budget = FixtureAnalysis.Clean("ThroughCalleeWrapper");
        Assert.Equal(Object(typeof(Empty)), budget.Escaping);
        Assert.Equal(Object(typeof(Registry)) + Object(typeof(Holder)), budget.Peak);
    }

    [Fact]
    public void A_callee_that_publishes_something_inside_its_argument_makes_the_argument_and_its_contents_escape()
    {
        var budget = FixtureAnalysis.Clean("ThroughArgumentContents");
        Assert.Equal(Object(typeof(Pair)) + Object(typeof(Node)), budget.Escaping);
        Assert.Equal(0, budget.Peak);
    }

    [Fact]
    public void A_helpers_returned_object_belongs_to_the_caller_and_escapes_only_if_the_caller_stores_it()
    {
        var budget = FixtureAnalysis.Clean("ViaHelper");
        Assert.Equal(Object(typeof(Node)), budget.Escaping);
        Assert.Equal(Object(typeof(Node)), budget.Peak);
    }

    [Fact]
    public void A_callees_scratch_memory_counts_once_as_the_peak_of_the_deepest_path()
    {
        var budget = FixtureAnalysis.Clean("CalleePeak");
        Assert.Equal(0, budget.Escaping);
        Assert.Equal(Object(typeof(Empty)) + Array(1, 100), budget.Peak); // two calls, one at a time
    }

    [Fact]
    public void A_constructor_argument_stored_in_the_new_object_follows_that_objects_fate()
    {
        var stored = FixtureAnalysis.Clean("ConstructorStores");
        Assert.Equal(Object(typeof(Holder)) + Object(typeof(Empty)), stored.Escaping);
        Assert.Equal(0, stored.Peak);
        var local = FixtureAnalysis.Clean("ConstructorStackOnly");
        Assert.Equal(0, local.Escaping);
        Assert.Equal(Object(typeof(Holder)) + Object(typeof(Empty)), local.Peak);
    }

    [Fact]
    public void Boxing_allocates_the_value_plus_the_object_header()
    {
        Assert.Equal(Box(typeof(int)), FixtureAnalysis.Clean("Boxing").Bytes);
        Assert.Equal(24, Inline(typeof(Padded)));
        Assert.Equal(Box(typeof(Padded)), FixtureAnalysis.Clean("BoxPadded").Bytes);
        Assert.Equal(40, Box(typeof(Padded)));
    }

    [Fact]
    public void An_inline_array_struct_is_sized_as_all_its_elements()
    {
        Assert.Equal(Box(typeof(EightLongs)), FixtureAnalysis.Clean("BoxInlineArray").Returned);
        Assert.Equal(16 + 8 * 8, Box(typeof(EightLongs)));
    }

    [Fact]
    public void The_reply_a_handler_returns_counts_as_returned()
    {
        var budget = FixtureAnalysis.Clean("Reply");
        Assert.Equal(2 * Object(typeof(Node)), budget.Returned);
        Assert.Equal(budget.Returned, budget.Bytes);
    }

    [Fact]
    public void String_concatenation_of_a_literal_and_a_bounded_parameter_is_sized_from_both_lengths()
    {
        var budget = FixtureAnalysis.Clean("Concat");
        Assert.Equal(String("Hello, ".Length + 10), budget.Returned);
        Assert.Equal(56, budget.Bytes);
    }

    [Fact]
    public void Each_class_level_of_an_object_is_padded_to_eight_bytes()
    {
        Assert.Equal(Object(typeof(DerivedRecord)), FixtureAnalysis.Clean("Inheritance").Returned);
        Assert.Equal(32, Object(typeof(DerivedRecord))); // 16 + int padded to 8 + int padded to 8
    }

    [Fact]
    public void Utf8_encoding_of_a_bounded_string_returns_at_most_three_bytes_per_char()
    {
        Assert.Equal(Array(1, 3 * 10), FixtureAnalysis.Clean("Utf8").Returned);
    }

    [Fact]
    public void An_array_rented_from_the_shared_pool_is_charged_as_long_lived_at_its_bucket_size()
    {
        var budget = FixtureAnalysis.Clean("Pooled");
        Assert.Equal(Array(1, 128), budget.Escaping); // 100 rounds up to the 16 * 2^3 bucket
        Assert.Equal(budget.Escaping, budget.Bytes);
    }

    [Fact]
    public void An_interpolated_string_is_sized_from_its_literals_and_holes_and_its_pooled_buffer_escapes()
    {
        // $"inode {id} is {name}": literals "inode " and " is ", an int (at most 11 chars), a [MaxCount(20)] string.
        var budget = FixtureAnalysis.Clean("Interpolated");
        Assert.Equal(String(6 + 4 + 11 + 20), budget.Returned);
        Assert.Equal(Array(sizeof(char), 256), budget.Escaping); // ArrayPool<char>.Shared buffer, at least 256 chars
    }
}
