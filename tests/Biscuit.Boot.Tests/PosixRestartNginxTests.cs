// posix is killed under nginx and a curl loop (issue 9 item 3; tests/manifests/faults-nginx-posix):
// posix's state (descriptor tables, pids) cannot be rebuilt, so init ends the application it served
// (orphans_kill), restarts posix, and the new posix has net drop the dead instance's sockets
// (ResetClient: nginx's listening port is free again) and starts nginx anew, which serves again.
// Measured: the outage, printed in the test output. What every restart must show is in
// RestartUnderNginxSpecification.
using Xunit.Abstractions;

namespace Biscuit.Boot.Tests;

public sealed class PosixRestartUnderNginx() : RestartUnderNginx("posix", "faults-nginx-posix");

public class PosixRestartNginxTests(PosixRestartUnderNginx run, ITestOutputHelper output) : RestartUnderNginxSpecification<PosixRestartUnderNginx>(run, output)
{
    [Fact]
    public void Init_kills_posix_once_ends_the_nginx_it_served_and_restarts_posix()
    {
        _output.WriteLine(_run.Figures());
        Assert.True(_run.Requests.Count(r => !r.AfterKill) >= 20, "fewer than 20 requests before the kill\n" + _run.Figures());
        Assert.Single(_run.Lines, l => l.StartsWith("init: injected kill into posix", StringComparison.Ordinal));
        Assert.Single(_run.Lines, l => l.StartsWith("init: posix killed by signal 9; restarting in 10 ms", StringComparison.Ordinal));
        Assert.Single(_run.Lines, l => l.StartsWith("init: posix died: ended 1 application process it served", StringComparison.Ordinal));
        Assert.Single(_run.Lines, l => l.StartsWith("init: posix restarted ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_new_posix_has_net_drop_the_dead_instances_sockets_and_starts_nginx_again()
    {
        _output.WriteLine(_run.Figures());
        Assert.Contains(_run.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^posix: net dropped [1-9]\d* sockets of a previous posix instance"));
        Assert.Equal(2, _run.Lines.Count(l => l.StartsWith("posix: started /usr/sbin/nginx as pid 1", StringComparison.Ordinal)));
    }
}
