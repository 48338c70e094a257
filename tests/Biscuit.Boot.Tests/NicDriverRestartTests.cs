// The NIC driver server is killed under nginx and a curl loop (issue 9 item 3;
// tests/manifests/faults-nginx-nic): init restarts nic, which claims the e1000e again (a dead
// holder's claim is released) and resets it; net's Hold fails with EOWNERDEAD and net attaches to the
// new instance (a new grant of the slots at the same address). A driver restart must be invisible:
// no request fails, not even the ones in flight at the kill (TCP retransmits the lost frames), and no
// other server dies. Measured: the outage, printed in the test output. What every restart must show
// is in RestartUnderNginxSpecification.
using Xunit.Abstractions;

namespace Biscuit.Boot.Tests;

public sealed class NicRestartUnderNginx() : RestartUnderNginx("nic", "faults-nginx-nic");

public class NicDriverRestartTests(NicRestartUnderNginx run, ITestOutputHelper output) : RestartUnderNginxSpecification<NicRestartUnderNginx>(run, output)
{
    [Fact]
    public void Init_kills_nic_once_and_net_attaches_to_the_new_instance()
    {
        _output.WriteLine(_run.Figures());
        Assert.Single(_run.Lines, l => l.StartsWith("init: injected kill into nic", StringComparison.Ordinal));
        Assert.Single(_run.Lines, l => l.StartsWith("init: nic restarted ", StringComparison.Ordinal));
        Assert.Equal(2, _run.Lines.Count(l => l.StartsWith("nic: ", StringComparison.Ordinal) && l.Contains("; serving", StringComparison.Ordinal)));
        Assert.Single(_run.Lines, l => l.StartsWith("net: attached to NIC driver instance ", StringComparison.Ordinal) && l.Contains("(attach 2)"));
    }

    [Fact]
    public void No_request_fails_across_the_driver_restart()
    {
        _output.WriteLine(_run.Figures());
        Assert.True(_run.Requests.Count(r => !r.AfterKill) >= 20, "fewer than 20 requests before the kill\n" + _run.Figures());
        Assert.All(_run.Requests, r => Assert.True(r.Status == 200, _run.Figures()));
    }
}
