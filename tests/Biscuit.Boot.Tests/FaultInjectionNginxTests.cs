// The real system under a fault (issue 9): Debian's nginx on posix, fs and net, served to the
// host's curl through the port forward, while init kills fs once (tests/manifests/faults-nginx:
// `inject=kill@90000`). The curl loop runs before, across and after the restart; the test asserts
// what holds and reports the figures (requests failed before, during and after) in its output.
// What holds today: every request before the kill is served; init restarts fs, but the new instance
// cannot claim the virtio-blk disk again (device_claim answers EBUSY: a device is claimed once per
// boot and the dead instance's claim is never released), exits, and after 5 restarts within 60 s
// init leaves it down; nginx then stops answering (posix's calls to fs wait for a server that never
// comes), while the kernel, init, net and posix keep running.
using System.Diagnostics;
using Xunit.Abstractions;

namespace Biscuit.Boot.Tests;

public sealed class FsRestartUnderNginx : IDisposable
{
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-faults-nginx-").FullName;
    public readonly QemuSession Session;
    public readonly TimeSpan FirstAnswerAfter;
    // Outcomes of the loop's requests, in order: HTTP status (0 = no answer); AfterKill: fs had been
    // killed when the request ended (a request in flight at the kill counts as after it);
    // AfterRestart: init had restarted fs when the request was sent.
    public readonly List<(int Status, bool AfterKill, bool AfterRestart)> Requests = new();
    public const int AfterRestartRequests = 3;

    public FsRestartUnderNginx()
    {
        string output = Path.Combine(Folder, "out");
        var (code, log) = Repository.Run("env", $"ROOTFS_OUT=\"{output}\" \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        string disk = Path.Combine(output, "rootfs.ext3");
        Session = new QemuSession("faults-nginx", 80, ["blk-server", "fs-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{disk}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0");
        var clock = Stopwatch.StartNew();
        while (Curl() != 200)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5) || Killed)
            {
                string serial = Session.Serial;
                Session.Dispose();
                throw new InvalidOperationException($"nginx did not answer before fs was killed or within 5 minutes; serial log:\n{serial}");
            }
            Thread.Sleep(500);
        }
        FirstAnswerAfter = clock.Elapsed;
        var loop = Stopwatch.StartNew();
        while (loop.Elapsed < TimeSpan.FromMinutes(8))
        {
            bool restarted = Restarted;
            int status = Curl();
            Requests.Add((status, Killed, restarted));
            if (Requests.Count(r => r.AfterRestart) >= AfterRestartRequests) break;
        }
        // init's verdict on fs (restarted for good, or left down) follows within a second of emulated
        // time; wait for either, at most a minute, before the tests read the log.
        var settle = Stopwatch.StartNew();
        while (settle.Elapsed < TimeSpan.FromMinutes(1) && !Session.Serial.Contains("init: history fs: ")) Thread.Sleep(500);
    }

    public bool Killed => Session.Serial.Contains("init: injected kill into fs");
    public bool Restarted => Session.Serial.Contains("init: fs restarted ");

    // One GET of / by the host's curl; the HTTP status, or 0 when nothing came back within 10 s.
    public int Curl()
    {
        var (code, output) = Repository.Run("curl", $"-s -o /dev/null -w %{{http_code}} --max-time 10 http://127.0.0.1:{Session.HostPort}/", TimeSpan.FromSeconds(30));
        return code == 0 && int.TryParse(output.Trim(), out int status) ? status : 0;
    }

    public void Dispose()
    {
        Session.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

public class FaultInjectionNginxTests : IClassFixture<FsRestartUnderNginx>
{
    private readonly FsRestartUnderNginx _run;
    private readonly ITestOutputHelper _output;
    public FaultInjectionNginxTests(FsRestartUnderNginx run, ITestOutputHelper output) { _run = run; _output = output; }

    private string Figures()
    {
        var r = _run.Requests;
        int Failed(IEnumerable<(int Status, bool AfterKill, bool AfterRestart)> s) => s.Count(x => x.Status != 200);
        return $"nginx first answered after {_run.FirstAnswerAfter.TotalSeconds:F0} s; {r.Count} requests: " +
               $"{Failed(r.Where(x => !x.AfterKill))} of {r.Count(x => !x.AfterKill)} failed before fs was killed, " +
               $"{Failed(r.Where(x => x.AfterKill && !x.AfterRestart))} of {r.Count(x => x.AfterKill && !x.AfterRestart)} in flight at the kill or while fs was down, " +
               $"{Failed(r.Where(x => x.AfterRestart))} of {r.Count(x => x.AfterRestart)} after init restarted it";
    }

    private string[] Lines => _run.Session.Serial.Split('\n');

    [Fact]
    public void Init_kills_fs_once_during_the_curl_loop_and_tries_to_restart_it()
    {
        _output.WriteLine(Figures());
        Assert.True(_run.Requests.Count(r => !r.AfterKill) >= 100, "fewer than 100 requests before the kill\n" + Figures());
        Assert.Single(Lines, l => l.StartsWith("init: injected kill into fs", StringComparison.Ordinal));
        Assert.Single(Lines, l => l.StartsWith("init: fs killed by signal 9; restarting in 10 ms", StringComparison.Ordinal));
        Assert.Contains(Lines, l => l.StartsWith("init: fs restarted ", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_request_before_the_kill_is_served()
    {
        _output.WriteLine(Figures());
        Assert.All(_run.Requests.Where(r => !r.AfterKill), r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public void The_restarted_fs_cannot_claim_its_disk_again_and_is_left_down()
    {
        // The gap this test records (README's status table, restarts row): when device claims are
        // released at their holder's death, this test fails and should become "nginx answers again".
        _output.WriteLine(Figures());
        Assert.Contains("fs: device_claim: -16", Lines);
        Assert.Contains(Lines, l => l.StartsWith("init: fs exited with status 1; 5 restarts within 60 s: left down", StringComparison.Ordinal));
        Assert.Equal(FsRestartUnderNginx.AfterRestartRequests, _run.Requests.Count(r => r.AfterRestart));
        Assert.All(_run.Requests.Where(r => r.AfterRestart), r => Assert.NotEqual(200, r.Status));
    }

    [Fact]
    public void The_kernel_init_net_and_posix_keep_running_after_fs_is_gone()
    {
        _output.WriteLine(Figures());
        string serial = _run.Session.Serial;
        Assert.DoesNotContain("biscuit: CPU exception", serial);
        Assert.DoesNotContain(Lines, l => l.StartsWith("init: net ", StringComparison.Ordinal) || l.StartsWith("init: posix ", StringComparison.Ordinal));
        Assert.DoesNotContain("biscuit: halted", serial);
        // init's history line after fs's 5th restart: its deaths, their causes, the restart latency.
        Assert.Contains(Lines, l => l.StartsWith("init: history fs: 5 deaths (1 injected), 5 restarts; causes: signal 9 x1, exit 1 x4; restart latency ms: ", StringComparison.Ordinal));
    }
}
