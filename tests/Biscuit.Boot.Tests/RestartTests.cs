// Servers that die are restarted by init and keep their endpoint (issue 9, the mechanism): a crash
// (FailFast, SIGABRT) and a hang (found by the heartbeat) are both repaired; the caller of the fatal
// request gets an I/O error, an idempotent request in flight is retried, later calls succeed on the
// same handle; init tells each new instance its history, which its Stats report.
// Manifest: tests/manifests/restart; client: servers/echo/.../RestartDriver.cs.
namespace Biscuit.Boot.Tests;

public sealed class RestartBoot : SystemSuiteBoot
{
    public RestartBoot() : base("restart", "echo-server") { }
}

public class RestartTests : IClassFixture<RestartBoot>
{
    private readonly RestartBoot _boot;
    public RestartTests(RestartBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "the server answers before anything goes wrong",
        "a call that crashes the server is reported as an I/O error, not retried",
        "after a crash the restarted server answers on the same endpoint",
        "a hung server is found by its heartbeat, killed and restarted",
        "an idempotent call in flight when the server dies is retried and succeeds",
        "the restarted server's Stats tell its history: fourth incarnation, three deaths, the last by SIGABRT",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Client_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void Init_logs_each_death_and_restart_with_growing_back_off()
    {
        var restarts = _boot.Lines.Where(l => l.StartsWith("init: echo killed by signal", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, restarts.Length);
        Assert.Equal("init: echo killed by signal 6; restarting in 10 ms", restarts[0]);
        Assert.Equal("init: echo killed by signal 9; restarting in 20 ms", restarts[1]);
        Assert.Equal("init: echo killed by signal 6; restarting in 40 ms", restarts[2]);
        Assert.Contains("init: echo missed its heartbeat (no answer within 3000 ms): killing it", _boot.Lines);
        Assert.Equal(3, _boot.Lines.Count(l => l.StartsWith("init: echo restarted ", StringComparison.Ordinal)));
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
    }
}
