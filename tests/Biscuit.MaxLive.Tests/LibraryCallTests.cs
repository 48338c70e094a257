// Calls into the BCL need a summary; without one the request is refused unless the calling code
// is wrapped in a method carrying the [AssumeAllocation] override.
using MaxLiveFixtures;

namespace Biscuit.MaxLive.Tests;

public class LibraryCallTests
{
    [Fact]
    public void A_library_call_without_a_summary_is_an_error_naming_the_call()
    {
        var method = FixtureAnalysis.Method(typeof(Calls), "UnsummarisedLibraryCall");
        var offset = FixtureAnalysis.OffsetOfCall(method, m => m.DeclaringType == typeof(string) && m.Name == "Normalize");
        var error = Assert.Single(FixtureAnalysis.Request("UnsummarisedLibraryCall").Errors);
        Assert.Contains($"MaxLiveFixtures.Calls::UnsummarisedLibraryCall(string) at {offset}", error);
        Assert.Contains("System.String::Normalize() has no summary", error);
        Assert.Contains("[AssumeAllocation", error);
    }

    [Fact]
    public void AssumeAllocation_replaces_the_body_and_its_bytes_escape_by_default()
    {
        var budget = FixtureAnalysis.Clean("AssumedLibraryCall");
        Assert.Equal(500, budget.Escaping);
        Assert.Equal(500, budget.Bytes);
        Assert.Contains(budget.Derivation, line => line.Contains("[AssumeAllocation(500)]: trusted"));
    }

    [Fact]
    public void A_stack_only_assumption_counts_only_while_the_call_runs()
    {
        var budget = FixtureAnalysis.Clean("AssumedStackOnly");
        Assert.Equal(0, budget.Escaping);
        Assert.Equal(300, budget.Peak); // two calls, one at a time
    }

    [Fact]
    public void Every_fixture_request_is_either_budgeted_or_refused_never_zero_by_accident()
    {
        foreach (var request in FixtureAnalysis.Basic.Requests)
            Assert.True(request.Ok ? request.Bytes >= 0 && request.Errors.Count == 0 : request.Bytes == -1 && request.Errors.Count > 0, request.Request);
        Assert.Equal(4, FixtureAnalysis.Basic.Requests.Count(r => !r.Ok)); // UnboundedLoop, UnboundedList, UnboundedRecursion, UnsummarisedLibraryCall
    }
}
