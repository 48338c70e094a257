// nginx as it is usually run (issue 7): `master_process on; worker_processes 2`. The master forks two
// workers that become www-data (setgid, setgroups, setuid) and take its commands over socketpair
// channels; it sleeps in rt_sigsuspend and learns of its workers' ends from SIGCHLD, reaping them with
// waitpid. `nginx -s quit` reads the master's pid from /run/nginx.pid and sends SIGQUIT (kill(2)
// between processes, resolved by posix). Manifest tests/manifests/nginx-master: a busybox script
// (master.sh) starts nginx, waits until the test asks for /quit, stops nginx and reports.
// One boot for the class; the fixture plays the scenario in order and the tests judge what it saw.
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Biscuit.Boot.Tests;

public sealed class NginxMasterBoot : IDisposable
{
    private static readonly string Here = Path.Combine(Repository.Root, "tests", "manifests", "nginx-master");
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-nginx-master-").FullName;
    public readonly Dictionary<string, string> Sha256 = new();
    public readonly List<(string Name, string Sha256, string WorkerPid)> Fetched = [];   // while serving
    public readonly Dictionary<int, string> ProcStatus = new();                          // pid -> /proc/PID/status, while serving
    public readonly string[] Serial;                                                      // after master.sh ended

    public NginxMasterBoot()
    {
        string output = Path.Combine(Folder, "out");
        var (code, log) = Repository.Run("env",
            $"ROOTFS_OUT=\"{output}\" ROOTFS_ADD=\"{Here}/master.sh:/etc/nginx/master.sh {Here}/nginx-master.conf:/etc/nginx/nginx-master.conf\" " +
            $"\"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        foreach (var line in File.ReadAllLines(Path.Combine(output, "www.sha256")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Sha256[Path.GetFileName(parts[1])] = parts[0];
        }
        using var session = new QemuSession("nginx-master", 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{Path.Combine(output, "rootfs.ext3")}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
            string Url(string path) => $"http://127.0.0.1:{session.HostPort}{path}";
            WaitUntilServing(Url("/"), session);
            // Serve: new connections, several at once, each answered by a worker that says its pid.
            var results = Enumerable.Range(0, 12).AsParallel().WithDegreeOfParallelism(6).Select(i =>
            {
                string name = i % 3 == 0 ? "big.bin" : "small.html";
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
                using var response = client.GetAsync(Url("/" + name)).Result;
                var body = response.Content.ReadAsByteArrayAsync().Result;
                string pid = response.Headers.TryGetValues("X-Worker-Pid", out var v) ? v.First() : "";
                return (name, Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant(), pid);
            }).ToList();
            Fetched.AddRange(results);
            // Who runs: every process's /proc status, read through nginx itself. master.sh's `grep` and
            // `sleep` come and go each second: one listed may have ended before its status is read (404).
            string listing = http.GetStringAsync(Url("/proc/")).Result;
            foreach (Match m in Regex.Matches(listing, @"href=""(\d+)/"""))
            {
                int pid = int.Parse(m.Groups[1].Value);
                using var status = http.GetAsync(Url($"/proc/{pid}/status")).Result;
                if (status.StatusCode == HttpStatusCode.OK) ProcStatus[pid] = status.Content.ReadAsStringAsync().Result;
            }
            // Stop: master.sh sees /quit in the access log and runs `nginx -s quit`.
            using (var quit = http.GetAsync(Url("/quit")).Result) { }
            session.WaitForLine(l => l.StartsWith("master.sh: nginx processes left: "), TimeSpan.FromMinutes(3));
        }
        finally
        {
            Serial = session.Serial.Split('\n');
        }
    }

    private static void WaitUntilServing(string url, QemuSession session)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            try
            {
                using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                if (probe.GetAsync(url).Result.StatusCode == HttpStatusCode.OK) return;
            }
            catch (AggregateException) { }
            Thread.Sleep(500);
        }
        throw new InvalidOperationException($"nginx (master and workers) did not answer within 5 minutes; serial log:\n{session.Serial}");
    }

    /// <summary>The pid master.sh reported for the nginx master.</summary>
    public int MasterPid =>
        int.Parse(Serial.Select(l => Regex.Match(l, @"^master\.sh: nginx master started as pid (\d+)")).First(m => m.Success).Groups[1].Value);

    public static string Field(string status, string name) =>
        status.Split('\n').Where(l => l.StartsWith(name + ":\t")).Select(l => l[(name.Length + 2)..]).FirstOrDefault() ?? "";

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class NginxMasterTests : IClassFixture<NginxMasterBoot>
{
    private readonly NginxMasterBoot _boot;
    public NginxMasterTests(NginxMasterBoot boot) => _boot = boot;

    private string SerialText => string.Join("\n", _boot.Serial);

    [Fact]
    public void Every_response_from_the_workers_is_byte_exact()
    {
        Assert.Equal(12, _boot.Fetched.Count);
        Assert.All(_boot.Fetched, f => Assert.Equal(_boot.Sha256[f.Name], f.Sha256));
    }

    [Fact]
    public void The_master_forked_two_workers_that_run_as_www_data()
    {
        var workers = _boot.ProcStatus.Where(p => NginxMasterBoot.Field(p.Value, "PPid") == _boot.MasterPid.ToString()).ToList();
        Assert.True(workers.Count == 2, $"children of the master {_boot.MasterPid}: {string.Join(", ", workers.Select(w => w.Key))}\n{SerialText}");
        Assert.All(workers, w => Assert.StartsWith("33\t33", NginxMasterBoot.Field(w.Value, "Uid")));
    }

    [Fact]
    public void Requests_are_answered_by_a_worker_not_by_the_master()
    {
        var workers = _boot.ProcStatus.Where(p => NginxMasterBoot.Field(p.Value, "PPid") == _boot.MasterPid.ToString()).Select(p => p.Key.ToString()).ToHashSet();
        Assert.All(_boot.Fetched, f => Assert.Contains(f.WorkerPid, workers));   // $pid is getpid() in the worker
    }

    [Fact]
    public void Nginx_s_quit_signals_the_master_which_stops_its_workers_and_exits_0()
    {
        Assert.Contains("master.sh: nginx master exited with status 0", _boot.Serial);
        Assert.Contains(_boot.Serial, l => Regex.IsMatch(l, @"signal 3 \(SIGQUIT\) received from \d+, shutting down"));
        Assert.Equal(2, _boot.Serial.Count(l => Regex.IsMatch(l, @"worker process \d+ exited with code 0")));
        Assert.Contains(_boot.Serial, l => Regex.IsMatch(l, @"signal 17 \(SIGCHLD\) received from \d+"));
        Assert.Contains("master.sh: nginx processes left: 0", _boot.Serial);
    }
}
