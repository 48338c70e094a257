// The fixture of the posix- and net-restart tests (issue 9 item 3): Debian's nginx on posix, fs and
// net, served to the host's curl through the port forward, while init kills one server once (its
// manifest line says `inject=kill@90000`). A curl loop runs before the kill, across it and after it,
// until nginx has answered AnsweredAfterRecovery requests in a row again or RecoveryLimit has passed
// since the kill. Each request is recorded with its status and when it ended, so the tests can
// measure the outage: from the end of the last request answered 200 before the host saw init's kill
// line on the serial console to the end of the first one answered 200 after it (a request in flight
// at the kill counts as after it). It is an upper bound: it includes that last request's own time.
using System.Diagnostics;

namespace Biscuit.Boot.Tests;

public abstract class RestartUnderNginx : IDisposable
{
    public readonly string Server;
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-restart-nginx-").FullName;
    public readonly QemuSession Session;
    public readonly TimeSpan FirstAnswerAfter;
    /// <summary>Every request of the loop: HTTP status (0 = no answer within 10 s), whether init's kill
    /// line had been seen when it ended, and when it ended (since the loop began).</summary>
    public readonly List<(int Status, bool AfterKill, TimeSpan EndedAt)> Requests = new();
    /// <summary>When the host saw init's kill line (since the loop began); null if it never came.</summary>
    public TimeSpan? KillSeenAt { get; private set; }
    public const int AnsweredAfterRecovery = 20;
    public static readonly TimeSpan RecoveryLimit = TimeSpan.FromMinutes(4);

    protected RestartUnderNginx(string server, string manifest)
    {
        Server = server;
        string output = Path.Combine(Folder, "out");
        var (code, log) = Repository.Run("env", $"ROOTFS_OUT=\"{output}\" \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        string disk = Disk = Path.Combine(output, "rootfs.ext3");
        Session = new QemuSession(manifest, 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{disk}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0");
        var clock = Stopwatch.StartNew();
        while (Curl() != 200)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5) || Killed)
            {
                string serial = Session.Serial;
                Session.Dispose();
                throw new InvalidOperationException($"nginx did not answer before {server} was killed or within 5 minutes; serial log:\n{serial}");
            }
            Thread.Sleep(500);
        }
        FirstAnswerAfter = clock.Elapsed;
        var loop = Stopwatch.StartNew();
        int answeredInARow = 0;
        while (loop.Elapsed < TimeSpan.FromMinutes(8))
        {
            if (KillSeenAt == null && Killed) KillSeenAt = loop.Elapsed;
            int status = Curl();
            if (KillSeenAt == null && Killed) KillSeenAt = loop.Elapsed;   // it came while the request ran
            Requests.Add((status, KillSeenAt != null, loop.Elapsed));
            if (KillSeenAt == null) continue;
            answeredInARow = status == 200 ? answeredInARow + 1 : 0;
            if (answeredInARow >= AnsweredAfterRecovery || loop.Elapsed - KillSeenAt > RecoveryLimit) break;
            if (status != 200) Thread.Sleep(200);                          // nothing listens yet: do not flood the forward
        }
    }

    public readonly string Disk;

    /// <summary>Stops QEMU and judges the disk it was writing (DiskCheck).</summary>
    public (int Code, string Output) CheckDisk()
    {
        Session.Dispose();
        return DiskCheck.AfterJournalReplay(Disk, Folder);
    }

    public bool Killed => Session.Serial.Contains($"init: injected kill into {Server}");

    /// <summary>From the last answer before the kill to the first answer after it; null if none came after it.</summary>
    public TimeSpan? Outage
    {
        get
        {
            if (KillSeenAt == null) return null;
            var lastBefore = Requests.LastOrDefault(r => !r.AfterKill && r.Status == 200);
            var firstAfter = Requests.FirstOrDefault(r => r.AfterKill && r.Status == 200);
            return firstAfter.Status == 200 ? firstAfter.EndedAt - lastBefore.EndedAt : null;
        }
    }

    public string Figures()
    {
        var before = Requests.Where(r => !r.AfterKill).ToList();
        var after = Requests.Where(r => r.AfterKill).ToList();
        var lastBefore = before.LastOrDefault(r => r.Status == 200);
        string outage = Outage is { } o
            ? $"outage {o.TotalSeconds:F1} s: nginx answered again {o.TotalSeconds:F1} s after its last answer before the kill " +
              $"(the host saw init's kill line {(KillSeenAt!.Value - lastBefore.EndedAt).TotalSeconds:F1} s after that answer)"
            : $"nginx did not answer again within {RecoveryLimit.TotalMinutes:F0} minutes";
        return $"{Server} restart: nginx first answered after {FirstAnswerAfter.TotalSeconds:F0} s; " +
               $"{before.Count(r => r.Status != 200)} of {before.Count} requests failed before the kill; {outage}; " +
               $"{after.Count(r => r.Status != 200)} of {after.Count} failed after it";
    }

    public string[] Lines => Session.Serial.Split('\n');

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
