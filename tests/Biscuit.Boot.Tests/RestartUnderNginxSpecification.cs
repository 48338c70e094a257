// What every server restart under nginx must show, whichever server init kills (issue 9): nginx
// answers again and keeps answering, every request before the kill was served, no other server dies,
// the kernel keeps running, and the disk with its journal replayed is clean. The posix and net
// restart test classes derive from it and add what is particular to their server.
using Xunit.Abstractions;

namespace Biscuit.Boot.Tests;

public abstract class RestartUnderNginxSpecification<TRun> : IClassFixture<TRun> where TRun : RestartUnderNginx
{
    protected readonly TRun _run;
    protected readonly ITestOutputHelper _output;
    private static readonly string[] Servers = ["blk", "fs", "nic", "net", "posix"];

    protected RestartUnderNginxSpecification(TRun run, ITestOutputHelper output) { _run = run; _output = output; }

    [Fact]
    public void Nginx_answers_again_after_the_restart_and_keeps_answering()
    {
        _output.WriteLine(_run.Figures());
        Assert.True(_run.Outage != null, _run.Figures() + "\nserial:\n" + _run.Session.Serial);
        var last = _run.Requests.TakeLast(RestartUnderNginx.AnsweredAfterRecovery).ToList();
        Assert.All(last, r => Assert.True(r.AfterKill && r.Status == 200, _run.Figures()));
    }

    [Fact]
    public void Every_request_before_the_kill_is_served()
    {
        _output.WriteLine(_run.Figures());
        Assert.All(_run.Requests.Where(r => !r.AfterKill), r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public void No_other_server_dies_and_the_kernel_keeps_running()
    {
        _output.WriteLine(_run.Figures());
        string serial = _run.Session.Serial;
        Assert.DoesNotContain("biscuit: CPU exception", serial);
        Assert.DoesNotContain("biscuit: halted", serial);
        foreach (string other in Servers.Where(s => s != _run.Server))
            Assert.DoesNotContain(_run.Lines, l => l.StartsWith($"init: {other} ", StringComparison.Ordinal));
        Assert.Single(_run.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"^init: {_run.Server} (killed|exited)"));
    }

    [Fact]
    public void Afterwards_the_disk_with_its_journal_replayed_is_clean()
    {
        var (code, output) = _run.CheckDisk();
        Assert.True(code == 0, output);
    }
}
