// Admission control by MAXLIVE budgets on Biscuit (issue 10): an echo server with four workers and a
// 32 MiB heap is flooded by six clients with its most expensive request (about 8 MiB each) while
// another client makes 3,000 cheap ones. Manifest: tests/manifests/hog; client:
// servers/echo/Biscuit.Echo.Server/HogDriver.cs.
namespace Biscuit.Boot.Tests;

public sealed class AdmissionBoot : SystemSuiteBoot
{
    public AdmissionBoot() : base("hog", "echo-server") { }
}

public class AdmissionTests : IClassFixture<AdmissionBoot>
{
    private readonly AdmissionBoot _boot;
    public AdmissionTests(AdmissionBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "every cheap request is served while the server is flooded with expensive ones",
        "an expensive request either completes or is refused as Busy, never fails midway",
        "the server never runs out of heap in a handler",
        "admission control queued or refused expensive requests, visible in Stats",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Client_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_server_survives_the_flood_and_the_client_exits_cleanly()
    {
        Assert.DoesNotContain("init: echo killed", _boot.Run.Serial);
        Assert.Contains("init: driver exited with status 0", _boot.Run.Serial);
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
    }
}

// The empirical soundness check of MAXLIVE's budgets on Biscuit itself (issue 10, item 3): two echo
// servers measure what each request allocates; every type must stay within its admission budget.
// Manifest: tests/manifests/soundness; client: servers/echo/Biscuit.Echo.Server/SoundnessDriver.cs.
public sealed class SoundnessBoot : SystemSuiteBoot
{
    public SoundnessBoot() : base("soundness", "echo-server") { }
}

public class SoundnessOnBiscuitTests : IClassFixture<SoundnessBoot>
{
    private readonly SoundnessBoot _boot;
    public SoundnessOnBiscuitTests(SoundnessBoot boot) => _boot = boot;

    [Fact]
    public void Every_request_type_stays_within_its_budget_on_Biscuit() =>
        _boot.AssertPassed("every request type stayed within its budget on Biscuit");

    [Fact]
    public void Every_exercised_request_type_is_reported_with_its_budget_and_observation()
    {
        foreach (var request in new[] { "echo-a Echo", "echo-a Add", "echo-a Fail", "echo-a Hog", "echo-b Pump" })
            Assert.Contains(_boot.Lines, l => l.StartsWith($"soundness: {request}: budget ", StringComparison.Ordinal));
        Assert.DoesNotContain(_boot.Lines, l => l.EndsWith("EXCEEDED", StringComparison.Ordinal));
    }
}
