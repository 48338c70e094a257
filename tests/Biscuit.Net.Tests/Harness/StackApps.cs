// Applications that run on our stack inside the pump loop, written the way a non-blocking server
// uses sockets (try the call, treat EAGAIN as "later"): an echo server, a sink that hashes what it
// receives, an HTTP server of the pattern, a UDP echo, and a client that uploads or downloads.
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Biscuit.Net.Tests.Harness;

internal sealed class TcpEchoServer : IStackApp
{
    sealed class Conn { public TcpSocket S = null!; public byte[] Pending = new byte[65536]; public int Start, End; }
    readonly TcpSocket listener;
    readonly List<Conn> conns = new();
    public int Accepted, Finished;

    public TcpEchoServer(NetStack stack, ushort port, int backlog = 512)
    {
        listener = stack.CreateTcpSocket();
        listener.ReuseAddress = true;
        Check(listener.Bind(port));
        Check(listener.Listen(backlog));
    }

    static void Check(Errno e) { if (e != Errno.None) throw new InvalidOperationException(e.ToString()); }

    public void Poll(NetStack stack)
    {
        while (listener.Accept(out _) is { } s) { conns.Add(new Conn { S = s }); Accepted++; }
        for (int i = conns.Count - 1; i >= 0; i--)
        {
            var c = conns[i];
            bool done = false;
            while (true)
            {
                if (c.Start < c.End)
                {
                    int w = c.S.Send(c.Pending.AsSpan(c.Start, c.End - c.Start));
                    if (w == -(int)Errno.EAGAIN) break;
                    if (w < 0) { done = true; break; }
                    c.Start += w;
                    if (c.Start < c.End) break;
                }
                c.Start = c.End = 0;
                int r = c.S.Receive(c.Pending);
                if (r == -(int)Errno.EAGAIN) break;
                if (r <= 0) { done = true; break; }
                c.End = r;
            }
            if (done) { c.S.Close(); conns.RemoveAt(i); Finished++; }
        }
    }
}

/// <summary>Accepts connections, hashes everything received, and on end of file answers "sha256 count\n".</summary>
internal sealed class TcpSinkServer : IStackApp
{
    sealed class Conn { public TcpSocket S = null!; public IncrementalHash H = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); public long Count; public byte[]? Reply; public int Sent; }
    readonly TcpSocket listener;
    readonly List<Conn> conns = new();
    readonly byte[] buffer = new byte[65536];
    public readonly ConcurrentQueue<(string Sha, long Count)> Results = new();

    /// <summary>A slow reader: at most ReadBudget bytes every ReadIntervalMs (by the wall clock), so that
    /// the window closes; unlimited by default.</summary>
    public int ReadBudget = int.MaxValue;
    public long ReadIntervalMs;
    long nextReadAt;

    public TcpSinkServer(NetStack stack, ushort port, int receiveBuffer = 0)
    {
        listener = stack.CreateTcpSocket();
        if (receiveBuffer > 0) listener.ReceiveBufferSize = receiveBuffer;
        if (listener.Bind(port) != Errno.None || listener.Listen(64) != Errno.None) throw new InvalidOperationException("listen");
    }

    public void Poll(NetStack stack)
    {
        while (listener.Accept(out _) is { } s)
        {
            conns.Add(new Conn { S = s });
            if (ReadIntervalMs > 0) nextReadAt = Environment.TickCount64 + 500;   // a slow start closes the window
        }
        for (int i = conns.Count - 1; i >= 0; i--)
        {
            var c = conns[i];
            int budget = ReadBudget;
            if (ReadIntervalMs > 0)
            {
                if (Environment.TickCount64 < nextReadAt) budget = 0;
                else nextReadAt = Environment.TickCount64 + ReadIntervalMs;
            }
            while (c.Reply == null && budget > 0)
            {
                int r = c.S.Receive(buffer.AsSpan(0, Math.Min(buffer.Length, budget)));
                if (r > 0) budget -= r;
                if (r == -(int)Errno.EAGAIN) break;
                if (r < 0) { c.Reply = Array.Empty<byte>(); Results.Enqueue(("error " + (Errno)(-r), c.Count)); break; }
                if (r == 0)
                {
                    string sha = Convert.ToHexString(c.H.GetHashAndReset()).ToLowerInvariant();
                    Results.Enqueue((sha, c.Count));
                    c.Reply = Encoding.ASCII.GetBytes($"{sha} {c.Count}\n");
                    break;
                }
                c.H.AppendData(buffer, 0, r);
                c.Count += r;
            }
            if (c.Reply != null)
            {
                if (c.Sent < c.Reply.Length)
                {
                    int w = c.S.Send(c.Reply.AsSpan(c.Sent));
                    if (w > 0) c.Sent += w;
                    else if (w != -(int)Errno.EAGAIN) c.Sent = c.Reply.Length;
                }
                if (c.Sent >= c.Reply.Length) { c.S.Close(); conns.RemoveAt(i); }
            }
        }
    }
}

/// <summary>Answers every HTTP request with Length bytes of the pattern, then closes.</summary>
internal sealed class HttpPatternServer : IStackApp
{
    sealed class Conn { public TcpSocket S = null!; public string Request = ""; public byte[]? Header; public long Sent; }
    readonly TcpSocket listener;
    readonly long length;
    readonly List<Conn> conns = new();
    readonly byte[] buffer = new byte[65536];
    public int Served;

    public HttpPatternServer(NetStack stack, ushort port, long length)
    {
        this.length = length;
        listener = stack.CreateTcpSocket();
        if (listener.Bind(port) != Errno.None || listener.Listen(64) != Errno.None) throw new InvalidOperationException("listen");
    }

    public void Poll(NetStack stack)
    {
        while (listener.Accept(out _) is { } s) conns.Add(new Conn { S = s });
        for (int i = conns.Count - 1; i >= 0; i--)
        {
            var c = conns[i];
            if (c.Header == null)
            {
                int r = c.S.Receive(buffer);
                if (r > 0) c.Request += Encoding.ASCII.GetString(buffer, 0, r);
                else if (r != -(int)Errno.EAGAIN) { c.S.Close(); conns.RemoveAt(i); continue; }
                if (!c.Request.Contains("\r\n\r\n")) continue;
                c.Header = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
                if (c.S.Send(c.Header) != c.Header.Length) throw new InvalidOperationException("header did not fit");
            }
            while (c.Sent < length)
            {
                int n = (int)Math.Min(buffer.Length, length - c.Sent);
                Pattern.Fill(c.Sent, buffer.AsSpan(0, n));
                int w = c.S.Send(buffer.AsSpan(0, n));
                if (w == -(int)Errno.EAGAIN) break;
                if (w < 0) { c.Sent = length; break; }
                c.Sent += w;
            }
            if (c.Sent >= length) { c.S.Close(); conns.RemoveAt(i); Served++; }
        }
    }
}

internal sealed class UdpEchoServer : IStackApp
{
    readonly UdpSocket socket;
    readonly byte[] buffer = new byte[2048];
    public UdpEchoServer(NetStack stack, ushort port)
    {
        socket = stack.CreateUdpSocket();
        if (socket.Bind(port) != Errno.None) throw new InvalidOperationException("bind");
    }
    public void Poll(NetStack stack)
    {
        while (true)
        {
            int n = socket.ReceiveFrom(buffer, out var from, out var port);
            if (n < 0) return;
            socket.SendTo(buffer.AsSpan(0, n), from, port);
        }
    }
}

/// <summary>Connects to the Linux test server: "UP n" sends n pattern bytes and reads the server's
/// "sha256 count" answer; "DOWN n" asks for n pattern bytes and hashes them.</summary>
internal sealed class PatternClient : IStackApp
{
    readonly TcpSocket socket;
    readonly bool upload;
    readonly long length;
    readonly byte[] request;
    readonly byte[] buffer = new byte[65536];
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    readonly StringBuilder reply = new();
    int requestSent;
    long sent, received;
    bool connected, finished;
    public readonly TaskCompletionSource<string> Result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PatternClient(NetStack stack, Ipv4Address server, ushort port, bool upload, long length)
    {
        this.upload = upload;
        this.length = length;
        request = Encoding.ASCII.GetBytes($"{(upload ? "UP" : "DOWN")} {length}\n");
        socket = stack.CreateTcpSocket();
        var e = socket.Connect(server, port);
        if (e != Errno.EINPROGRESS) throw new InvalidOperationException("connect: " + e);
    }

    public void Poll(NetStack stack)
    {
        if (finished) return;
        var ready = socket.Readiness;
        if ((ready & Readiness.Error) != 0) { Finish("error " + socket.TakeError()); return; }
        if (!connected) { if ((ready & (Readiness.Writable | Readiness.HangUp)) == 0) return; connected = true; }
        while (requestSent < request.Length)
        {
            int w = socket.Send(request.AsSpan(requestSent));
            if (w <= 0) return;
            requestSent += w;
        }
        while (upload && sent < length)
        {
            int n = (int)Math.Min(buffer.Length, length - sent);
            Pattern.Fill(sent, buffer.AsSpan(0, n));
            int w = socket.Send(buffer.AsSpan(0, n));
            if (w == -(int)Errno.EAGAIN) break;
            if (w < 0) { Finish("error " + (Errno)(-w)); return; }
            sent += w;
            if (sent == length) socket.Shutdown(ShutdownHow.Write);
        }
        while (true)
        {
            int r = socket.Receive(buffer);
            if (r == -(int)Errno.EAGAIN) return;
            if (r < 0) { Finish("error " + (Errno)(-r)); return; }
            if (r == 0)
            {
                Finish(upload ? reply.ToString().Trim()
                    : $"{Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()} {received}");
                return;
            }
            if (upload) reply.Append(Encoding.ASCII.GetString(buffer, 0, r));
            else { hash.AppendData(buffer, 0, r); received += r; }
        }
    }

    public string Describe() =>
        $"{(upload ? "up" : "down")} connected={connected} requestSent={requestSent} sent={sent} received={received} " +
        $"reply='{reply}' finished={finished} state={socket.State} readiness={socket.Readiness} conn={socket.Connection?.Describe()}";

    void Finish(string result)
    {
        finished = true;
        socket.Close();
        Result.TrySetResult(result);
    }
}
