// The headline (issue 7): Debian's unmodified nginx, read from an ext3 root disk by the fs server,
// loaded with its shared libraries by posix through ld-linux, serving HTTP through the net server's
// TCP/IP stack and the e1000e driver, to curl-like clients on the host through QEMU's port forward.
// One boot for the class (manifest tests/manifests/nginx, the same servers as boot/manifest); the
// root disk is built by boot/rootfs/build.sh into a folder of the test's own.
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;

namespace Biscuit.Boot.Tests;

public sealed class NginxBoot : IDisposable
{
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-nginx-").FullName;
    public readonly QemuSession Session;
    public readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(120) };
    public readonly Dictionary<string, string> Sha256 = new();     // docroot file -> sha256, from the build
    public readonly TimeSpan FirstAnswerAfter;

    public NginxBoot()
    {
        string output = Path.Combine(Folder, "out");
        var (code, log) = Repository.Run("env", $"ROOTFS_OUT=\"{output}\" \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        foreach (var line in File.ReadAllLines(Path.Combine(output, "www.sha256")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Sha256[Path.GetFileName(parts[1])] = parts[0];
        }
        string disk = Path.Combine(output, "rootfs.ext3");
        Session = new QemuSession("nginx", 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{disk}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                if (probe.GetAsync(Url("/")).Result.StatusCode == HttpStatusCode.OK) break;
            }
            catch (AggregateException) { }
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                string serial = Session.Serial;
                Session.Dispose();          // a fixture that throws is never disposed: stop QEMU here
                throw new InvalidOperationException($"nginx did not answer within 5 minutes; serial log:\n{serial}");
            }
            Thread.Sleep(500);
        }
        FirstAnswerAfter = clock.Elapsed;
    }

    public string Url(string path) => $"http://127.0.0.1:{Session.HostPort}{path}";

    public void Dispose()
    {
        Http.Dispose();
        Session.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

public class NginxTests : IClassFixture<NginxBoot>
{
    private readonly NginxBoot _boot;
    public NginxTests(NginxBoot boot) => _boot = boot;

    private HttpResponseMessage Get(string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _boot.Url(path));
        configure?.Invoke(request);
        return _boot.Http.Send(request);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    [Fact]
    public void The_index_page_is_served_by_Debians_nginx_on_Biscuit()
    {
        using var response = Get("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nginx/1.22.1", response.Headers.Server.ToString());
        Assert.Contains("Served by nginx on Biscuit", response.Content.ReadAsStringAsync().Result);
        Assert.Contains(_boot.Session.Serial.Split('\n'), l => l.StartsWith("posix: started /usr/sbin/nginx"));
    }

    [Theory]
    [InlineData("small.html")]
    [InlineData("big.bin")]
    public void Files_from_the_root_disk_arrive_byte_for_byte(string name)
    {
        using var response = Get("/" + name);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = response.Content.ReadAsByteArrayAsync().Result;
        Assert.Equal(response.Content.Headers.ContentLength, body.Length);
        Assert.Equal(_boot.Sha256[name], Hex(body));
    }

    [Fact]
    public void A_byte_range_of_the_big_file_is_the_same_range_of_the_file()
    {
        using var whole = Get("/big.bin");
        var all = whole.Content.ReadAsByteArrayAsync().Result;
        using var response = Get("/big.bin", r => r.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(300_000, 300_000 + 70_000 - 1));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(all.AsSpan(300_000, 70_000).ToArray(), response.Content.ReadAsByteArrayAsync().Result);
    }

    [Fact]
    public void A_missing_file_is_nginxs_404_and_the_server_keeps_serving()
    {
        using var missing = Get("/no-such-file.html");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("404 Not Found", missing.Content.ReadAsStringAsync().Result);
        using var after = Get("/small.html");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public void Twenty_concurrent_clients_each_get_the_right_bytes()
    {
        var results = Enumerable.Range(0, 20).AsParallel().WithDegreeOfParallelism(20).Select(i =>
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
            string name = i % 4 == 0 ? "big.bin" : "small.html";
            var body = client.GetByteArrayAsync(_boot.Url("/" + name)).Result;
            return (name, Hex(body));
        }).ToList();
        Assert.All(results, r => Assert.Equal(_boot.Sha256[r.name], r.Item2));
    }

    [Fact]
    public void Proc_biscuit_cpu_shows_where_the_cycles_went_with_every_server_and_nginx()
    {
        using var response = Get("/proc/biscuit/cpu");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string table = response.Content.ReadAsStringAsync().Result;
        // lib's CpuCensus.Format: name id cycles share% syscalls ipc_calls kind
        var rows = table.Split('\n').Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length == 7).ToList();
        Assert.Contains(rows, f => f[0] == "idle" && f[1] == "0" && f[6] == "idle");
        // fs and net only receive and reply; posix calls them, and nginx's forwarded calls are IPC calls.
        foreach (var (name, kind, calls) in new[] { ("fs-server", "server", false), ("net-server", "server", false),
                                                    ("posix-server", "server", true), ("nginx", "application", true) })
        {
            var f = Assert.Single(rows, f => f[0] == name);
            Assert.True(ulong.Parse(f[2]) > 0 && ulong.Parse(f[4]) > 0 && (!calls || ulong.Parse(f[5]) > 0) && f[6] == kind,
                $"{name}: {string.Join(' ', f)}\n{table}");
        }
    }

    [Fact]
    public void One_kept_alive_connection_carries_many_requests()
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        for (int i = 0; i < 30; i++)
            Assert.Equal(_boot.Sha256["small.html"], Hex(client.GetByteArrayAsync(_boot.Url("/small.html")).Result));
    }

    [Fact]
    public void HEAD_gives_the_headers_of_GET_and_no_body()
    {
        using var response = _boot.Http.Send(new HttpRequestMessage(HttpMethod.Head, _boot.Url("/big.bin")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1048576, response.Content.Headers.ContentLength);
        Assert.Empty(response.Content.ReadAsByteArrayAsync().Result);
    }

    [Fact]
    public void Two_hundred_concurrent_connections_from_wrk_complete_without_errors()
    {
        // wrk's own timeout is raised: under TCG a response can take seconds, which is slowness, not an error
        var (code, output) = Repository.Run("wrk", $"-t2 -c200 -d5s --timeout 60s {_boot.Url("/small.html")}", TimeSpan.FromMinutes(3));
        Assert.True(code == 0, output);
        Assert.DoesNotContain("Socket errors", output);
        Assert.DoesNotContain("Non-2xx", output);
        var requests = System.Text.RegularExpressions.Regex.Match(output, @"(\d+) requests in");
        Assert.True(requests.Success && long.Parse(requests.Groups[1].Value) > 0, output);
        using var after = Get("/small.html");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public void The_servers_GC_figures_are_readable_through_nginx_from_proc()
    {
        using var response = Get("/proc/biscuit/gc");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string text = response.Content.ReadAsStringAsync().Result;
        // One column per server, posix first: its own links (fs, net), then the drivers it was given for Stats.
        string header = text.Split('\n')[0];
        Assert.Equal(["posix", "fs", "net", "blk", "nic"], header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("no figures from", text);
    }

    [Fact]
    public void No_process_faulted_while_serving()
    {
        using var _ = Get("/small.html");
        Assert.DoesNotContain(_boot.Session.Serial.Split('\n'), l => l.Contains("fault") || l.Contains("panic") || l.StartsWith("init: ") && l.Contains("died"));
    }
}
