// A .NET 10 NativeAOT program (tests/guest-dotnet/GuestRuntime), linked statically, runs on Biscuit
// with its own GC over the kernel's Linux core ABI: collections in every generation under a 32 MiB
// heap limit, threads suspended by the GC, hardware faults as managed exceptions, monitors,
// MessagePack (issue 4, "Done when").
namespace Biscuit.Boot.Tests;

public sealed class DotnetRuntimeBoot : GuestSuiteBoot
{
    public DotnetRuntimeBoot() : base("dotnet-runtime-test", "512M") { }
}

public class DotnetRuntimeTests : IClassFixture<DotnetRuntimeBoot>
{
    private readonly DotnetRuntimeBoot _boot;
    public DotnetRuntimeTests(DotnetRuntimeBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "the GC churns 200 MB through a 32 MB heap and collects every generation",
        "three threads allocate while the GC suspends them",
        "the GC suspends a thread that spins without allocating",
        "a null dereference becomes a NullReferenceException",
        "an integer division by zero becomes a DivideByZeroException",
        "Monitor and SemaphoreSlim hand work between threads",
        "MessagePack formats and parses a message",
        "time moves forward and Thread.Sleep waits",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Guest_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_GC_suspended_threads_with_signals_beyond_the_two_hardware_faults()
    {
        // The kernel counts the signal frames it pushed: two are the null dereference and the
        // division by zero; the rest are the runtime's thread-suspension signal (tgkill).
        var m = System.Text.RegularExpressions.Regex.Match(_boot.Run.Serial, @"exited with status 0; its handlers ran for (\d+) signals");
        Assert.True(m.Success, _boot.Run.ToString());
        Assert.True(int.Parse(m.Groups[1].Value) > 2, m.Value);
    }

    [Fact]
    public void The_program_reports_exactly_the_listed_cases_and_the_kernel_reports_exit_status_0()
    {
        _boot.AssertReportedExactly(Cases, _ => true);
        Assert.Contains("biscuit: process 1 (dotnet-runtime-test) exited with status 0", _boot.Run.Serial);
    }
}
