// The real system under a fault (issue 9): Debian's nginx on posix, fs and net, served to the
// host's curl through the port forward, while init kills fs once (tests/manifests/faults-nginx:
// `inject=kill@90000`). The curl loop runs before, across and after the restart (300 requests
// after it); the test reports the figures (requests failed before, during and after) in its output.
// The specification (issue 9: zero failed requests when fs restarts): every request is served. fs
// claims no device (the disk is the block driver's, blk): the new fs connects to blk again and
// replays the journal; posix's calls in flight are resent (idempotent ones by lib's client, an
// Open by posix's FsLink), and the files posix holds open are re-opened by inode (FsOpenFiles).
// Afterwards the disk, its journal replayed, is clean by the host's e2fsck.
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
    public const int AfterRestartRequests = 300;

    public FsRestartUnderNginx()
    {
        string output = Path.Combine(Folder, "out");
        var (code, log) = Repository.Run("env", $"ROOTFS_OUT=\"{output}\" \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        string disk = Path.Combine(output, "rootfs.ext3");
        Session = new QemuSession("faults-nginx", 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
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
        // init tells the new fs its history a few seconds after the restart: read /proc/biscuit/gc
        // (posix's table of every server's Stats, through nginx) until fs's column shows it, ≤ 60 s.
        var told = Stopwatch.StartNew();
        do
        {
            var (gcCode, table) = Repository.Run("curl", $"-s -f --max-time 20 http://127.0.0.1:{Session.HostPort}/proc/biscuit/gc", TimeSpan.FromSeconds(30));
            if (gcCode == 0) GcTableAfterRestart = table;
            if (GcTableAfterRestart.Split('\n').Any(l => l.StartsWith("incarnation ") && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("2"))) break;
            Thread.Sleep(1000);
        } while (told.Elapsed < TimeSpan.FromSeconds(60));
        Disk = disk;
    }

    public readonly string Disk;
    public readonly string GcTableAfterRestart = "";

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

    /// <summary>The host's e2fsck on a copy of the disk QEMU was writing when stopped: the journal
    /// replayed first (as a mount would), then a full read-only check; the check's exit code and output.</summary>
    public (int Code, string Output) CheckDisk()
    {
        Session.Dispose();
        return DiskCheck.AfterJournalReplay(Disk, Folder);
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
    public void Init_kills_fs_once_during_the_curl_loop()
    {
        _output.WriteLine(Figures());
        Assert.True(_run.Requests.Count(r => !r.AfterKill) >= 100, "fewer than 100 requests before the kill\n" + Figures());
        Assert.Single(Lines, l => l.StartsWith("init: injected kill into fs", StringComparison.Ordinal));
        Assert.Single(Lines, l => l.StartsWith("init: fs killed by signal 9; restarting in 10 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void Init_restarts_fs_once_and_the_new_fs_reconnects_to_the_block_driver()
    {
        // fs claims no device (the disk is blk's, drivers/virtio-blk): its death releases no claim,
        // the block driver lives on, and the new fs connects to it and mounts the disk again.
        _output.WriteLine(Figures());
        Assert.Single(Lines, l => l.StartsWith("init: fs restarted ", StringComparison.Ordinal));
        Assert.Single(Lines, l => l.Contains("(fs-server) killed by signal 9", StringComparison.Ordinal));
        Assert.DoesNotContain(Lines, l => l.Contains("(fs-server) killed by signal 9; its device claims released", StringComparison.Ordinal));
        Assert.Equal(2, Lines.Count(l => l.StartsWith("fs: mounted a disk of ", StringComparison.Ordinal)));
        Assert.DoesNotContain(Lines, l => l.StartsWith("init: blk ", StringComparison.Ordinal));
        Assert.DoesNotContain(Lines, l => l.Contains("left down", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_request_across_and_after_the_restart_is_served()
    {
        _output.WriteLine(Figures());
        Assert.Equal(FsRestartUnderNginx.AfterRestartRequests, _run.Requests.Count(r => r.AfterRestart));
        Assert.All(_run.Requests, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public void The_kernel_init_net_and_posix_keep_running()
    {
        _output.WriteLine(Figures());
        string serial = _run.Session.Serial;
        Assert.DoesNotContain("biscuit: CPU exception", serial);
        Assert.DoesNotContain(Lines, l => l.StartsWith("init: net ", StringComparison.Ordinal) || l.StartsWith("init: posix ", StringComparison.Ordinal));
        Assert.DoesNotContain("biscuit: halted", serial);
    }

    [Fact]
    public void Proc_shows_fs_in_its_second_incarnation_after_one_death_by_SIGKILL_and_every_other_server_in_its_first()
    {
        var rows = _run.GcTableAfterRestart.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Split(l.Trim(), "  +")).ToList();
        Assert.True(rows.Count > 4, $"no /proc/biscuit/gc table:\n{_run.GcTableAfterRestart}");
        var servers = rows[0];
        string Cell(string row, string server) => rows.Single(r => r[0] == row)[1 + Array.IndexOf(servers, server)];
        Assert.Contains("fs", servers);
        Assert.Equal("2", Cell("incarnation", "fs"));
        Assert.Equal("1 (1)", Cell("deaths (injected)", "fs"));   // init's kill= injection is counted as injected
        Assert.Equal("signal 9", Cell("last death", "fs"));
        foreach (var other in servers.Where(s => s != "fs"))
        {
            Assert.Equal("1", Cell("incarnation", other));
            Assert.Equal("-", Cell("last death", other));
        }
    }

    [Fact]
    public void Afterwards_the_disk_with_its_journal_replayed_is_clean()
    {
        var (code, output) = _run.CheckDisk();
        Assert.True(code == 0, output);
    }
}
