// TCP connections established before a NIC driver restart keep working after it (issue 9 item 3:
// "established TCP connections survive (retransmission covers what was lost)"). Manifest
// tests/manifests/nic-restart-connections: init kills nic 60 s after it starts. As soon as nginx
// answers, the host opens ONE keep-alive connection and keeps it across the kill: round after round
// it asks for /big.bin (1 MiB) and /small.html, always one round ahead (HTTP/1.1 pipelining, RFC
// 9112 §9.3.2), so the guest always has a response to send; it reads at most 512 KiB/s through a
// 32 KiB receive buffer, so each download lasts ~2 s and the guest's sender is held by flow control
// (slower, QEMU's and the host's socket buffers held more than the outage used: the client never
// waited; at this rate it waits for the lost frames, and its longest wait is printed).
// When net has attached to the restarted driver it asks two more rounds, on the same connection.
// Every body must be byte-exact (the SHA-256 that boot/rootfs/build.sh wrote in www.sha256); a
// download asked before the kill must end after the new attach (it spanned the restart), and
// requests sent after the new attach must be answered on the old connection.
// Why not one `curl --limit-rate` download: under TCG the guest's clock (which times init's kill)
// drifts from the host's, so the host cannot size one rate-limited download to span the kill; the
// rounds above span it whenever it comes, and nginx's send_timeout (60 s) never sees a stalled reader.
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;

namespace Biscuit.Boot.Tests;

public sealed class NicRestartConnectionsBoot : IDisposable
{
    public const int ReceiveBuffer = 32 * 1024, ReadBytesPerSecond = 512 * 1024, RoundsAfterRestart = 2;
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-nic-connections-").FullName;
    public readonly QemuSession Session;
    public readonly Dictionary<string, string> Sha256 = new();   // docroot file → hex SHA-256

    /// <summary>Every response on the one connection, in order: what was asked, whether the kill
    /// line had been seen when it was asked, whether net had re-attached when it had been read.</summary>
    public readonly List<(string Path, int Status, string Sha256, bool AskedAfterKill, bool AskedAfterReattach, bool EndedAfterReattach)> Responses = new();
    public Exception? ClientFailure;
    public TimeSpan LongestWaitForBytes;                         // the client's longest blocked read

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
        var clock = Stopwatch.StartNew();
        while (CurlStatus("/small.html") != 200)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5) || Killed)
                throw new InvalidOperationException($"nginx did not answer before nic was killed or within 5 minutes; serial log:\n{Session.Serial}");
            Thread.Sleep(500);
        }
        var client = new Thread(KeepAliveClient) { IsBackground = true, Name = "keep-alive client" };
        client.Start();
        if (!client.Join(TimeSpan.FromMinutes(10))) ClientFailure ??= new TimeoutException("the keep-alive client did not finish in 10 minutes");
    }

    public bool Killed => Session.Serial.Contains("init: injected kill into nic");
    public bool Reattached => Session.Serial.Split('\n').Any(l => l.StartsWith("net: attached to NIC driver instance ", StringComparison.Ordinal) && l.Contains("(attach 2)"));

    private void KeepAliveClient()
    {
        HttpOverOneConnection? http = null;
        try
        {
            using var tcp = new TcpClient { ReceiveBufferSize = ReceiveBuffer, ReceiveTimeout = 120_000, SendTimeout = 120_000 };
            tcp.Connect("127.0.0.1", Session.HostPort);
            var connection = http = new HttpOverOneConnection(tcp.GetStream(), ReadBytesPerSecond);
            var asked = new Queue<(string Path, bool AfterKill, bool AfterReattach)>();
            void Ask(string path) { asked.Enqueue((path, Killed, Reattached)); connection.Send(path); }
            int roundsAfterRestart = 0;
            Ask("/big.bin"); Ask("/small.html");
            var clock = Stopwatch.StartNew();
            while (asked.Count > 0)
            {
                bool another = roundsAfterRestart < RoundsAfterRestart && clock.Elapsed < TimeSpan.FromMinutes(8);
                if (another)
                {
                    if (Reattached) roundsAfterRestart++;
                    Ask("/big.bin"); Ask("/small.html");
                }
                for (int i = 0; i < 2; i++)
                {
                    var (path, afterKill, afterReattach) = asked.Dequeue();
                    var (status, sha) = connection.Receive();
                    lock (Responses) Responses.Add((path, status, sha, afterKill, afterReattach, Reattached));
                }
            }
        }
        catch (Exception e) { ClientFailure = e; }
        finally { LongestWaitForBytes = http?.LongestWait ?? TimeSpan.Zero; }
    }

    private int CurlStatus(string path)
    {
        var (code, output) = Repository.Run("curl", $"-s -o /dev/null -w %{{http_code}} --max-time 10 http://127.0.0.1:{Session.HostPort}{path}", TimeSpan.FromSeconds(30));
        return code == 0 && int.TryParse(output.Trim(), out int status) ? status : 0;
    }

    public string Story()
    {
        lock (Responses)
            return $"keep-alive client: {(ClientFailure == null ? "no error" : ClientFailure.ToString())}; " +
                   $"longest wait for bytes {LongestWaitForBytes.TotalSeconds:F1} s; {Responses.Count} responses: " +
                   string.Join(", ", Responses.Select(r => $"{r.Path} {r.Status}{(r.AskedAfterKill ? " asked after the kill" : "")}" +
                       $"{(r.AskedAfterReattach ? " asked after the re-attach" : "")}{(r.EndedAfterReattach ? " ended after the re-attach" : "")}")) +
                   "\nserial log:\n" + Session.Serial;
    }

    public void Dispose()
    {
        Session.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>HTTP/1.1 (RFC 9112) over one TCP connection that the caller keeps: requests sent (and
/// pipelined) with Send, responses read in order with Receive — the status line, headers, a
/// Content-Length body hashed with SHA-256 — at most `bytesPerSecond`. Enough for nginx's static
/// files; anything else is an InvalidDataException, a closed connection an EndOfStreamException.</summary>
public sealed class HttpOverOneConnection(NetworkStream stream, int bytesPerSecond)
{
    private readonly byte[] buffer = new byte[8192];
    private int start, end;                              // unread bytes are buffer[start..end)
    private long received;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>The longest time one read waited for bytes: across the kill, the outage the client saw.</summary>
    public TimeSpan LongestWait { get; private set; }

    public void Send(string path) =>
        stream.Write(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: biscuit\r\nConnection: keep-alive\r\n\r\n"));

    public (int Status, string Sha256) Receive()
    {
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
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (length > 0)
        {
            if (start == end) Fill();
            int n = (int)Math.Min(length, end - start);
            hash.AppendData(buffer, start, n);
            start += n;
            length -= n;
        }
        return (status, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private byte NextByte()
    {
        if (start == end) Fill();
        return buffer[start++];
    }

    private void Fill()
    {
        double ahead = received / (double)bytesPerSecond - clock.Elapsed.TotalSeconds;
        if (ahead > 0) Thread.Sleep(TimeSpan.FromSeconds(ahead));
        start = 0;
        var waited = Stopwatch.StartNew();
        end = stream.Read(buffer, 0, buffer.Length);
        if (waited.Elapsed > LongestWait) LongestWait = waited.Elapsed;
        if (end == 0) throw new EndOfStreamException("the server closed the connection");
        received += end;
    }
}

public class NicRestartConnectionTests(NicRestartConnectionsBoot boot, ITestOutputHelper output) : IClassFixture<NicRestartConnectionsBoot>
{
    [Fact]
    public void Init_kills_nic_once_and_net_attaches_to_the_new_instance()
    {
        var lines = boot.Session.Serial.Split('\n');
        Assert.Single(lines, l => l.StartsWith("init: injected kill into nic", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("init: nic restarted ", StringComparison.Ordinal));
        Assert.True(boot.Reattached, boot.Story());
    }

    [Fact]
    public void The_keep_alive_connection_opened_before_the_kill_serves_every_request_byte_exact_across_it()
    {
        output.WriteLine(boot.Story());
        Assert.Null(boot.ClientFailure);
        Assert.All(boot.Responses, r => Assert.Equal(200, r.Status));
        Assert.All(boot.Responses, r => Assert.Equal(boot.Sha256[r.Path.TrimStart('/')], r.Sha256));
        Assert.Contains(boot.Responses, r => !r.AskedAfterKill);
    }

    [Fact]
    public void A_download_asked_before_the_kill_ends_after_the_new_attach_byte_exact()
    {
        output.WriteLine(boot.Story());
        Assert.Contains(boot.Responses, r => r.Path == "/big.bin" && !r.AskedAfterKill && r.EndedAfterReattach
            && r.Status == 200 && r.Sha256 == boot.Sha256["big.bin"]);
    }

    [Fact]
    public void Requests_sent_after_the_new_attach_are_answered_on_the_old_connection()
    {
        output.WriteLine(boot.Story());
        Assert.Null(boot.ClientFailure);
        var after = boot.Responses.Where(r => r.AskedAfterReattach).ToList();
        Assert.Equal(2 * NicRestartConnectionsBoot.RoundsAfterRestart, after.Count);
        Assert.All(after, r => Assert.True(r.Status == 200 && r.Sha256 == boot.Sha256[r.Path.TrimStart('/')], boot.Story()));
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
