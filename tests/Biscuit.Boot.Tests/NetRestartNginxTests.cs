// net is killed under nginx and a curl loop (issue 9 item 3; tests/manifests/faults-nginx-net): init
// restarts net, which claims the e1000e again (a dead holder's claim is released); posix learns of
// the new instance (its readiness thread asks net's Instance at least once a second; a failed call
// asks too), subscribes again and makes nginx's listening socket again on the new net — the same
// descriptor, port and options, and the same epoll registration — so nginx, which never notices,
// serves again. Connections open at the kill are reset. Measured: the outage, printed in the test
// output. What every restart must show is in RestartUnderNginxSpecification.
using Xunit.Abstractions;

namespace Biscuit.Boot.Tests;

public sealed class NetRestartUnderNginx() : RestartUnderNginx("net", "faults-nginx-net");

public class NetRestartNginxTests(NetRestartUnderNginx run, ITestOutputHelper output) : RestartUnderNginxSpecification<NetRestartUnderNginx>(run, output)
{
    [Fact]
    public void Init_kills_net_once_and_restarts_it_and_the_new_net_claims_the_NIC()
    {
        _output.WriteLine(_run.Figures());
        Assert.True(_run.Requests.Count(r => !r.AfterKill) >= 20, "fewer than 20 requests before the kill\n" + _run.Figures());
        Assert.Single(_run.Lines, l => l.StartsWith("init: injected kill into net", StringComparison.Ordinal));
        Assert.Single(_run.Lines, l => l.StartsWith("init: net killed by signal 9; restarting in 10 ms", StringComparison.Ordinal));
        Assert.Single(_run.Lines, l => l.StartsWith("init: net restarted ", StringComparison.Ordinal));
        Assert.Equal(2, _run.Lines.Count(l => l.StartsWith("net: ", StringComparison.Ordinal) && l.Contains("socket service on the endpoint")));
        Assert.DoesNotContain(_run.Lines, l => l.StartsWith("init: net died: ended", StringComparison.Ordinal));   // net serves no application
    }

    [Fact]
    public void Posix_makes_nginxs_listening_socket_again_on_the_new_net()
    {
        _output.WriteLine(_run.Figures());
        Assert.Single(_run.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^posix: net restarted: [1-9]\d* sockets made again on the new instance, \d+ connections reset"));
        Assert.Single(_run.Lines, l => l.StartsWith("posix: started /usr/sbin/nginx", StringComparison.Ordinal));   // the same nginx serves on
    }
}
