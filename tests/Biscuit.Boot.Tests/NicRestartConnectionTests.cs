// TCP connections established before a NIC driver restart keep working after it (issue 9 item 3:
// "established TCP connections survive (retransmission covers what was lost)"). Manifest
// tests/manifests/nic-restart-connections: init kills nic 120 s after it starts. As soon as nginx
// answers, the host opens two connections and keeps them across the kill:
// * its own HTTP/1.1 client: three requests for /small.html on one keep-alive connection, then
//   /big.bin (1 MiB) of which it reads only the first 64 KiB and then stops reading (its receive
//   buffer is 32 KiB, so the guest's sender is held by flow control with most of the file unsent)
//   until net has attached to the restarted driver; then it reads the rest, and asks three more
//   /small.html on the same connection;
// * curl, downloading /big.bin with --limit-rate so that the transfer spans the kill, then
//   /small.html on the same connection (curl reuses it: num_connects 0).
// Every body must be byte-exact (the SHA-256 that boot/rootfs/build.sh wrote in www.sha256).
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;

namespace Biscuit.Boot.Tests;

public sealed class NicRestartConnectionsBoot : IDisposable
{
    public const int KillAfterMs = 120_000, StallAfterBytes = 64 * 1024, ClientReceiveBuffer = 32 * 1024;
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-nic-connections-").FullName;
    public readonly QemuSession Session;
    public readonly Dictionary<string, string> Sha256 = new();   // docroot file → hex SHA-256

    // The keep-alive client's story: every response in order, and what it saw around the kill.
    public readonly List<(string Path, int Status, string Sha256, bool AfterRestart)> Responses = new();
    public Exception? ClientFailure;
    public bool ClientStalledBeforeKill;   // the client had stopped reading inside /big.bin before init's kill line

    // curl's story.
    public int CurlExit = -1;
    public string CurlReport = "", CurlBigSha256 = "", CurlSmallSha256 = "";
    public bool CurlRunningAtKill;
    public int CurlRateBytesPerSecond;

    public NicRestartConnectionsBoot()
    {
        string output = Path.Combine(Folder, "out");
        var (code, log) = Repository.Run("env", $"ROOTFS_OUT=\"{output}\" \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + log);
        foreach (string line in File.ReadAllLines(Path.Combine(output, "www.sha256")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Sha256[parts[1]] = parts[0];
        }
        Session = new QemuSession("nic-restart-connections", 80, ["blk-server", "fs-server", "nic-server", "net-server", "posix-server"], "1G",
            $"-drive file=\"{Path.Combine(output, "rootfs.ext3")}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0");
        Session.WaitForLine(l => l.StartsWith("nic: ", StringComparison.Ordinal) && l.Contains("; serving"), TimeSpan.FromMinutes(5));
        var killExpected = Stopwatch.StartNew();   // nic started just before its "serving" line; init kills it KillAfterMs later
        var clock = Stopwatch.StartNew();
        while (CurlStatus("/small.html") != 200)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5) || Killed)
                throw new InvalidOperationException($"nginx did not answer before nic was killed or within 5 minutes; serial log:\n{Session.Serial}");
            Thread.Sleep(500);
        }

        // curl: big.bin at a rate that makes it last until ~45 s after the expected kill, then small.html.
        double secondsLeft = Math.Max(KillAfterMs / 1000.0 - killExpected.Elapsed.TotalSeconds, 5) + 45;
        CurlRateBytesPerSecond = (int)Math.Max(4096, 1024 * 1024 / secondsLeft);
        string bigOut = Path.Combine(Folder, "curl-big.bin"), smallOut = Path.Combine(Folder, "curl-small.html");
        var curl = Process.Start(new ProcessStartInfo("curl",
            $"-s --max-time 400 --limit-rate {CurlRateBytesPerSecond} -w \"%{{http_code}} %{{size_download}} %{{num_connects}}\\n\" " +
            $"-o \"{bigOut}\" http://127.0.0.1:{Session.HostPort}/big.bin -o \"{smallOut}\" http://127.0.0.1:{Session.HostPort}/small.html")
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var curlOutput = curl.StandardOutput.ReadToEndAsync();

        var client = new Thread(KeepAliveClient) { IsBackground = true, Name = "keep-alive client" };
        client.Start();

        Session.WaitForLine(l => l.StartsWith("init: injected kill into nic", StringComparison.Ordinal), TimeSpan.FromMinutes(5));
        CurlRunningAtKill = !curl.HasExited;
        client.Join(TimeSpan.FromMinutes(6));
        if (!curl.WaitForExit(TimeSpan.FromMinutes(7))) curl.Kill();
        curl.WaitForExit();
        CurlExit = curl.ExitCode;
        CurlReport = curlOutput.Result + curl.StandardError.ReadToEnd();
        if (File.Exists(bigOut)) CurlBigSha256 = Hex(File.ReadAllBytes(bigOut));
        if (File.Exists(smallOut)) CurlSmallSha256 = Hex(File.ReadAllBytes(smallOut));
    }

    public bool Killed => Session.Serial.Contains("init: injected kill into nic");
    private bool Reattached => Session.Serial.Split('\n').Any(l => l.StartsWith("net: attached to NIC driver instance ", StringComparison.Ordinal) && l.Contains("(attach 2)"));

    private void KeepAliveClient()
    {
        try
        {
            using var tcp = new TcpClient { ReceiveBufferSize = ClientReceiveBuffer, ReceiveTimeout = 120_000, SendTimeout = 120_000 };
            tcp.Connect("127.0.0.1", Session.HostPort);
            var http = new HttpOverOneConnection(tcp.GetStream());
            for (int i = 0; i < 3; i++) Record("/small.html", http.Get("/small.html"), afterRestart: false);

            var (status, length) = http.SendAndReadHead("/big.bin");
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            http.ReadBody(StallAfterBytes, hash);
            ClientStalledBeforeKill = !Killed;
            var wait = Stopwatch.StartNew();
            while (!Reattached && wait.Elapsed < TimeSpan.FromMinutes(5)) Thread.Sleep(200);
            http.ReadBody(length - StallAfterBytes, hash);
            Record("/big.bin", (status, Convert.ToHexStringLower(hash.GetHashAndReset())), afterRestart: true);

            for (int i = 0; i < 3; i++) Record("/small.html", http.Get("/small.html"), afterRestart: true);
        }
        catch (Exception e) { ClientFailure = e; }
    }

    private void Record(string path, (int Status, string Sha256) response, bool afterRestart)
    {
        lock (Responses) Responses.Add((path, response.Status, response.Sha256, afterRestart));
    }

    private int CurlStatus(string path)
    {
        var (code, output) = Repository.Run("curl", $"-s -o /dev/null -w %{{http_code}} --max-time 10 http://127.0.0.1:{Session.HostPort}{path}", TimeSpan.FromSeconds(30));
        return code == 0 && int.TryParse(output.Trim(), out int status) ? status : 0;
    }

    public static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public string Story()
    {
        lock (Responses)
            return $"curl at {CurlRateBytesPerSecond} B/s: exit {CurlExit}, running at the kill: {CurlRunningAtKill}, report: {CurlReport.Trim()}; " +
                   $"keep-alive client: {(ClientFailure == null ? "no error" : ClientFailure.ToString())}; responses: " +
                   string.Join(", ", Responses.Select(r => $"{r.Path} {r.Status}{(r.AfterRestart ? " (after)" : "")}")) + "\nserial log:\n" + Session.Serial;
    }

    public void Dispose()
    {
        Session.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>HTTP/1.1 (RFC 9112) over one TCP connection that the caller keeps: a request, the status
/// line and headers, a Content-Length body. Enough for nginx's static files; anything else is an error.</summary>
public sealed class HttpOverOneConnection(NetworkStream stream)
{
    private readonly byte[] buffer = new byte[16384];
    private int start, end;                              // unread bytes are buffer[start..end)

    public (int Status, string Sha256) Get(string path)
    {
        var (status, length) = SendAndReadHead(path);
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ReadBody(length, hash);
        return (status, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public (int Status, long ContentLength) SendAndReadHead(string path)
    {
        stream.Write(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: biscuit\r\nConnection: keep-alive\r\n\r\n"));
        var head = new StringBuilder();
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (head.Length > 8192) throw new InvalidDataException("response head longer than 8 KiB: " + head);
            head.Append((char)NextByte());
        }
        string[] lines = head.ToString().Split("\r\n");
        string[] statusLine = lines[0].Split(' ');
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(statusLine[1], out int status))
            throw new InvalidDataException("not an HTTP/1.x status line: " + lines[0]);
        string? lengthLine = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (lengthLine == null || !long.TryParse(lengthLine["Content-Length:".Length..].Trim(), out long length))
            throw new InvalidDataException("response without a Content-Length: " + head);
        return (status, length);
    }

    public void ReadBody(long count, IncrementalHash hash)
    {
        while (count > 0)
        {
            if (start == end) Fill();
            int n = (int)Math.Min(count, end - start);
            hash.AppendData(buffer, start, n);
            start += n;
            count -= n;
        }
    }

    private byte NextByte()
    {
        if (start == end) Fill();
        return buffer[start++];
    }

    private void Fill()
    {
        start = 0;
        end = stream.Read(buffer, 0, buffer.Length);
        if (end == 0) throw new EndOfStreamException("the server closed the connection");
    }
}

public class NicRestartConnectionTests(NicRestartConnectionsBoot boot, ITestOutputHelper output) : IClassFixture<NicRestartConnectionsBoot>
{
    [Fact]
    public void Init_killed_nic_while_both_connections_were_open_and_net_attached_to_the_new_instance()
    {
        Assert.True(boot.CurlRunningAtKill, "curl had finished before the kill: the test proves nothing\n" + boot.Story());
        Assert.True(boot.ClientStalledBeforeKill, "the keep-alive client was not yet stalled inside /big.bin at the kill\n" + boot.Story());
        Assert.True(boot.Killed);
        Assert.Single(boot.Session.Serial.Split('\n'), l => l.StartsWith("init: nic restarted ", StringComparison.Ordinal));
        Assert.Contains(boot.Session.Serial.Split('\n'), l => l.StartsWith("net: attached to NIC driver instance ", StringComparison.Ordinal) && l.Contains("(attach 2)"));
    }

    [Fact]
    public void A_keep_alive_connection_serves_requests_before_and_after_the_restart_and_a_download_stalled_across_it_arrives_byte_exact()
    {
        output.WriteLine(boot.Story());
        Assert.Null(boot.ClientFailure);
        Assert.Equal(7, boot.Responses.Count);
        Assert.All(boot.Responses, r => Assert.Equal(200, r.Status));
        Assert.All(boot.Responses, r => Assert.Equal(boot.Sha256[r.Path.TrimStart('/')], r.Sha256));
        Assert.Equal(3, boot.Responses.Count(r => !r.AfterRestart));
        Assert.Equal(3, boot.Responses.Count(r => r.AfterRestart && r.Path == "/small.html"));
    }

    [Fact]
    public void A_rate_limited_curl_download_spanning_the_restart_arrives_byte_exact_and_its_connection_is_reused()
    {
        output.WriteLine(boot.Story());
        Assert.Equal(0, boot.CurlExit);
        var lines = boot.CurlReport.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal($"200 {1024 * 1024} 1", lines[0].Trim());
        Assert.Equal("200 4096 0", lines[1].Trim());                   // the same connection: no new connect
        Assert.Equal(boot.Sha256["big.bin"], boot.CurlBigSha256);
        Assert.Equal(boot.Sha256["small.html"], boot.CurlSmallSha256);
    }

    [Fact]
    public void No_other_server_dies_and_the_kernel_keeps_running()
    {
        string serial = boot.Session.Serial;
        Assert.DoesNotContain("biscuit: CPU exception", serial);
        Assert.DoesNotContain("biscuit: halted", serial);
        foreach (string other in new[] { "blk", "fs", "net", "posix" })
            Assert.DoesNotContain(serial.Split('\n'), l => l.StartsWith($"init: {other} ", StringComparison.Ordinal));
    }
}
