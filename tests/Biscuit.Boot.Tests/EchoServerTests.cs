// Two .NET servers built on lib/ (servers/echo) and a .NET test client, started by init from a boot
// manifest (tests/manifests/echo/manifest), talking MessagePack over kernel IPC (issue 4, "Done
// when"): 100,000 request/replies between the servers, error replies for a throwing handler and a
// malformed message, and each server's own GC figures in Stats.
namespace Biscuit.Boot.Tests;

public sealed class EchoServerBoot : SystemSuiteBoot
{
    public EchoServerBoot() : base("echo", "echo-server") { }
}

public class EchoServerTests : IClassFixture<EchoServerBoot>
{
    private readonly EchoServerBoot _boot;
    public EchoServerTests(EchoServerBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "a client gets correct replies from a server over kernel IPC",
        "two servers exchange 100000 request/replies with correct results",
        "a handler that throws gets an error reply and the server keeps serving",
        "a malformed message gets an error reply and the server keeps serving",
        "each server reports its own GC figures in Stats",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Client_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void Init_starts_the_manifest_in_order_and_ends_with_the_clients_status()
    {
        var started = _boot.Lines.Where(l => l.StartsWith("init: started ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, started.Length);
        Assert.StartsWith("init: started echo-a", started[0]);
        Assert.StartsWith("init: started echo-b", started[1]);
        Assert.StartsWith("init: started driver", started[2]);
        Assert.Contains("init: driver exited with status 0", _boot.Run.Serial);
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
    }

    [Fact]
    public void The_stats_table_names_both_servers()
    {
        Assert.Contains(_boot.Lines, l => l.Contains("echo-a") && !l.StartsWith("init:"));
        Assert.Contains(_boot.Lines, l => l.Contains("echo-b") && !l.StartsWith("init:"));
    }
}
