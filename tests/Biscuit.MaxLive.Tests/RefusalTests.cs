// Bad annotations and code maxlive cannot bound are refused with a message that says what is
// wrong and where (Fixtures.Invalid); annotations that are right are honoured.
using Biscuit.MaxLive.Analysis;
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public class RefusalTests
{
    private static readonly Lazy<AnalysisResult> Invalid =
        new(() => Analyzer.Analyze([typeof(MaxLiveInvalid.Handlers).Assembly.Location], "invalid"));

    private static string OnlyError(string request)
    {
        var budget = Invalid.Value.Requests.Single(r => r.Request == request);
        Assert.Equal(-1, budget.Bytes);
        return Assert.Single(budget.Errors, e => !e.Contains("loop without a bound"));
    }

    [Fact]
    public void A_bound_naming_no_constant_is_refused()
    {
        Assert.Contains("bound \"NoSuchConstant\" names no integer const field", OnlyError("UnknownConstant"));
    }

    [Fact]
    public void A_bound_naming_two_constants_with_different_values_must_be_qualified()
    {
        Assert.Contains("bound \"Max\" is ambiguous (MaxLiveInvalid.FirstLimits.Max, MaxLiveInvalid.SecondLimits.Max)", OnlyError("AmbiguousConstant"));
        var qualified = Invalid.Value.Requests.Single(r => r.Request == "QualifiedConstant");
        Assert.True(qualified.Ok);
        Assert.Equal(MaxLiveInvalid.SecondLimits.Max * Object(typeof(MaxLiveInvalid.Item)), qualified.Bytes);
    }

    [Fact]
    public void A_negative_bound_is_refused()
    {
        Assert.Contains("a bound must not be negative (got -3)", OnlyError("NegativeBound"));
    }

    [Fact]
    public void A_bound_for_a_loop_the_method_does_not_have_is_refused()
    {
        Assert.Contains("[MaxIterations(5)] names loop #3, but the method has 1 loop(s)", OnlyError("NoSuchLoop"));
    }

    [Fact]
    public void An_array_whose_length_has_no_bound_is_refused_and_a_MaxCount_parameter_bounds_it()
    {
        Assert.Contains("MaxLiveInvalid.Handlers::UnboundedArray(int) at IL_0001: new System.Byte[n]: no bound on the array length", OnlyError("UnboundedArray"));
        var bounded = Invalid.Value.Requests.Single(r => r.Request == "BoundedArray");
        Assert.Equal(Array(1, 100 + 1), bounded.Bytes); // [MaxCount(100)] length, then length + 1
    }

    [Fact]
    public void Multi_dimensional_arrays_and_indirect_calls_are_refused()
    {
        Assert.Contains("multi-dimensional arrays are not supported", OnlyError("MultiDimensional"));
        Assert.Contains("an indirect call (calli) cannot be resolved", OnlyError("FunctionPointer"));
    }

    [Fact]
    public void Two_handlers_for_one_request_and_generic_handlers_are_refused()
    {
        Assert.False(Invalid.Value.Ok);
        Assert.Contains(Invalid.Value.Errors, e => e.Contains("request \"Duplicate\" has more than one [RequestHandler]"));
        Assert.Contains(Invalid.Value.Errors, e => e.Contains("MaxLiveInvalid.Generic`1::Handle: a request handler must not be generic"));
    }

    [Fact]
    public void A_collection_created_with_a_capacity_smaller_than_its_adds_is_refused()
    {
        Assert.Contains("it is created with a capacity that is not a constant of at least 4", OnlyError("SmallCapacity"));
    }
}
