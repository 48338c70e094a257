// The one lock at work: two request workers serve four client threads that create, bind, listen,
// query and close sockets as fast as they can, while the test thread moves a transfer through the
// stack (frames and timers under the same lock, as the server's event loop does). Every call must
// give the answer it would give alone, and the transfer must arrive intact.
using System.Security.Cryptography;
using Biscuit.Net.Client.Tests.Harness;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Client.Tests.Harness.RemoteHost;

namespace Biscuit.Net.Client.Tests;

public class ConcurrencyTests
{
    [Fact]
    public void Concurrent_callers_and_the_event_loop_share_the_stack_without_interfering()
    {
        using var h = new ServiceHarness(maxSockets: 256, workers: 2);
        var (remote, id) = h.ConnectFromB(h.ListenOnA(80), 80);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var callers = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var net = h.NewClient();
            for (int round = 0; round < 150; round++)
            {
                long s = net.Socket(Inet, StreamType);
                if (s <= 0) { failures.Enqueue($"thread {t}: Socket {s}"); continue; }
                int port = 10_000 + t * 1000 + round;
                long bind = net.Bind(s, 0, port), listen = net.Listen(s, 4);
                long name = net.GetName(s, out _, out int bound);
                long ready = net.Readiness(s);
                if (bind != 0 || listen != 0 || name != 0 || bound != port || ready != 0)
                    failures.Enqueue($"thread {t} round {round}: bind {bind} listen {listen} name {name}/{bound} readiness {ready}");
                if (net.Close(s) != 0) failures.Enqueue($"thread {t}: Close");
            }
        })).ToList();
        callers.ForEach(c => c.Start());

        var data = RandomNumberGenerator.GetBytes(256 * 1024);
        var got = new MemoryStream();
        var buffer = new byte[SocketLimits.MaxTransferBytes];
        int sent = 0;
        bool done = h.AdvanceUntil(() =>
        {
            if (sent < data.Length) { int n = remote.Send(data.AsSpan(sent)); if (n > 0) sent += n; }
            long r;
            while ((r = h.Net.Receive(id, buffer)) > 0) got.Write(buffer, 0, (int)r);
            return got.Length == data.Length && callers.All(c => !c.IsAlive);
        }, maxMs: 600_000);
        callers.ForEach(c => c.Join());
        Assert.True(done, $"received {got.Length} of {data.Length}");
        Assert.Empty(failures);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(got.ToArray()));
        lock (h.Host.Gate) Assert.Equal(2, h.Host.Table.Count);       // the listener and the connection
    }
}
