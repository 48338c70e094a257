// The host side of bench/linux/netbench.c's protocol (its header comment is the specification),
// spoken through QEMU's port forward 127.0.0.1:PORT -> guest port 80: one command per connection
// (sink, source, echo, conn, stats, quit). Every call has a time limit; whatever the guest answers
// that the protocol does not allow (a wrong count, a checksum that differs, a malformed line) is an
// InvalidOperationException naming it, never a figure. Timing is the host's Stopwatch: from the
// command's first byte to the answer's last, so each figure includes slirp and the port forward.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Biscuit.Bench;

// One bulk transfer: bytes moved, seconds, MiB/s, and the checksum each side computed (equal, or
// the transfer throws).
public sealed record NetTransfer(long Bytes, double Seconds, double MibPerS, string HostChecksum, string GuestChecksum, bool BytesVerified);

public sealed record NetEcho(int RoundTrips, int MessageBytes, double P50Ms, double P99Ms, double MeanMs, double MaxMs);

public sealed record NetConnections(int Clients, double Seconds, long Completed, double PerSecond, long Failed, string? FirstFailure);

// One "stats" answer: the host's time (s on the boot's clock, midway between asking and the answer),
// the guest's TSC, and the two files (null when the guest has none: `Missing` says why).
public sealed record NetStats(double HostS, ulong Tsc, string? GcTable, string? CpuTable, Dictionary<string, string> Missing);

public sealed class NetClient(int port, TimeSpan timeout)
{
    public const string GcFile = "/proc/biscuit/gc", CpuFile = "/proc/biscuit/cpu";

    private Socket Connect()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true, ReceiveTimeout = (int)timeout.TotalMilliseconds, SendTimeout = (int)timeout.TotalMilliseconds,
        };
        try { s.Connect(new IPEndPoint(IPAddress.Loopback, port)); }
        catch (SocketException) { s.Dispose(); throw; }
        return s;
    }

    // True once a "conn" gets its "ok" (QEMU's forward accepts before the guest listens: a connection
    // it cannot pass on is closed without an answer).
    public bool Answers()
    {
        try { return Encoding.ASCII.GetString(Command("conn\n"u8.ToArray())) == "ok\n"; }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException) { return false; }
    }

    // host -> guest: `bytes` of the stream of `seed`, answered "ok N A B".
    public NetTransfer Sink(int bytes, ulong seed)
    {
        byte[] data = NetStream.Bytes(seed, bytes);
        var mine = NetStream.Checksum(data);
        using var s = Connect();
        var clock = Stopwatch.StartNew();
        s.Send(Encoding.ASCII.GetBytes($"sink {bytes}\n"));
        for (int at = 0; at < data.Length; at += 65536) s.Send(data, at, Math.Min(65536, data.Length - at), SocketFlags.None);
        string answer = Encoding.ASCII.GetString(ReadToEnd(s, 128)).TrimEnd('\n');
        double seconds = clock.Elapsed.TotalSeconds;
        var f = answer.Split(' ');
        if (f.Length != 4 || f[0] != "ok" || !long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
            throw new InvalidOperationException($"sink: the guest answered '{answer}', not 'ok N A B'");
        if (count != bytes) throw new InvalidOperationException($"sink: the guest received {count} bytes of {bytes}");
        string theirs = $"{f[2]} {f[3]}";
        if (theirs != mine.ToString()) throw new InvalidOperationException($"sink: the guest's checksum {theirs} is not the host's {mine} of the same {bytes} bytes");
        return new NetTransfer(bytes, seconds, bytes / seconds / (1 << 20), mine.ToString(), theirs, true);
    }

    // guest -> host: the stream of `seed`, `bytes` long, compared byte for byte with the expected one.
    public NetTransfer Source(int bytes, ulong seed)
    {
        byte[] expected = NetStream.Bytes(seed, bytes);
        using var s = Connect();
        var clock = Stopwatch.StartNew();
        s.Send(Encoding.ASCII.GetBytes($"source {bytes} {seed}\n"));
        byte[] got = ReadToEnd(s, bytes);
        double seconds = clock.Elapsed.TotalSeconds;
        if (got.Length != bytes) throw new InvalidOperationException($"source: {got.Length} bytes arrived, the guest was to send {bytes}");
        var theirs = NetStream.Checksum(got);
        var mine = NetStream.Checksum(expected);
        if (!got.AsSpan().SequenceEqual(expected))
            throw new InvalidOperationException($"source: the bytes differ from the stream of seed {seed} (checksum {theirs}, expected {mine})");
        return new NetTransfer(bytes, seconds, bytes / seconds / (1 << 20), mine.ToString(), theirs.ToString(), true);
    }

    // `roundTrips` messages of `size` bytes over one connection, each sent when the last came back
    // (after `warmup` unrecorded ones); every echo is checked byte for byte.
    public NetEcho Echo(int roundTrips, int size, int warmup)
    {
        using var s = Connect();
        s.Send("echo\n"u8.ToArray());
        var message = new byte[size];
        var back = new byte[size];
        var times = new List<double>(roundTrips);
        for (int i = 0; i < warmup + roundTrips; i++)
        {
            for (int j = 0; j < size; j++) message[j] = (byte)('a' + (i + j) % 26);
            var clock = Stopwatch.StartNew();
            s.Send(message);
            for (int got = 0; got < size;)
            {
                int n = s.Receive(back, got, size - got, SocketFlags.None);
                if (n == 0) throw new InvalidOperationException($"echo: the guest closed the connection after {i} round trips");
                got += n;
            }
            double ms = clock.Elapsed.TotalMilliseconds;
            if (!back.AsSpan().SequenceEqual(message)) throw new InvalidOperationException($"echo: round trip {i} came back with other bytes");
            if (i >= warmup) times.Add(ms);
        }
        s.Shutdown(SocketShutdown.Send);
        var sorted = times.OrderBy(t => t).ToArray();
        return new NetEcho(roundTrips, size, Summary.Percentile(sorted, 0.5), Summary.Percentile(sorted, 0.99), times.Average(), sorted[^1]);
    }

    // `clients` threads, each opening connections one after the other for `seconds`: connect, "conn",
    // read to the guest's close; a connection counts when its answer was exactly "ok".
    public NetConnections Connections(int clients, double seconds)
    {
        long completed = 0, failed = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, clients).Select(_ => new Thread(() =>
        {
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                try
                {
                    string answer = Encoding.ASCII.GetString(Command("conn\n"u8.ToArray()));
                    if (answer == "ok\n") Interlocked.Increment(ref completed);
                    else throw new InvalidOperationException($"the guest answered '{answer.TrimEnd('\n')}', not 'ok'");
                }
                catch (Exception e) when (e is SocketException or IOException or InvalidOperationException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, $"{e.GetType().Name}: {e.Message}", null);
                }
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        double elapsed = clock.Elapsed.TotalSeconds;   // the last connections end after the deadline: counted with their time
        return new NetConnections(clients, elapsed, completed, completed / elapsed, failed, firstFailure);
    }

    // The guest's TSC and its /proc/biscuit files, `clock` being the boot's time base.
    public NetStats Stats(Stopwatch clock)
    {
        double asked = clock.Elapsed.TotalSeconds;
        byte[] answer = Command("stats\n"u8.ToArray());
        double at = (asked + clock.Elapsed.TotalSeconds) / 2;
        return ParseStats(answer, at);
    }

    // A "stats" answer read back; FormatException (as InvalidOperationException) naming what is wrong.
    public static NetStats ParseStats(byte[] answer, double hostS)
    {
        int at = 0;
        string Line()
        {
            int end = Array.IndexOf(answer, (byte)'\n', at);
            if (end < 0) throw new InvalidOperationException($"stats: the answer ends without a line ('{Encoding.ASCII.GetString(answer, at, Math.Min(60, answer.Length - at))}')");
            string line = Encoding.ASCII.GetString(answer, at, end - at);
            at = end + 1;
            return line;
        }
        string first = Line();
        if (!first.StartsWith("tsc ", StringComparison.Ordinal) || !ulong.TryParse(first[4..], NumberStyles.None, CultureInfo.InvariantCulture, out ulong tsc))
            throw new InvalidOperationException($"stats: the first line is '{first}', not 'tsc N'");
        var files = new Dictionary<string, string>();
        var missing = new Dictionary<string, string>();
        for (string line = Line(); line != "end"; line = Line())
        {
            var f = line.Split(' ');
            if (f.Length == 4 && f[0] == "file" && f[2] == "missing") { missing[f[1]] = f[3]; continue; }
            if (f.Length != 3 || f[0] != "file" || !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int length) || length > answer.Length - at)
                throw new InvalidOperationException($"stats: '{line}' is not 'file PATH LEN' with LEN bytes after it, nor 'file PATH missing ERRNO'");
            files[f[1]] = Encoding.UTF8.GetString(answer, at, length);
            at += length;
        }
        return new NetStats(hostS, tsc, files.GetValueOrDefault(GcFile), files.GetValueOrDefault(CpuFile), missing);
    }

    // Ends the program: "quit" answered "bye".
    public void Quit()
    {
        string answer = Encoding.ASCII.GetString(Command("quit\n"u8.ToArray()));
        if (answer != "bye\n") throw new InvalidOperationException($"quit: the guest answered '{answer.TrimEnd('\n')}', not 'bye'");
    }

    private byte[] Command(byte[] command)
    {
        using var s = Connect();
        s.Send(command);
        return ReadToEnd(s, 256);
    }

    // Everything the guest sends until it closes.
    private static byte[] ReadToEnd(Socket s, int expected)
    {
        using var all = new MemoryStream(expected);
        var buffer = new byte[65536];
        for (int n; (n = s.Receive(buffer)) > 0;) all.Write(buffer, 0, n);
        return all.ToArray();
    }
}
