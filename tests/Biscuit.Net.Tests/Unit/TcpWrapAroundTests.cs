// Sequence numbers that wrap past 2^32 in the middle of a transfer (RFC 9293 3.4): two of our
// stacks, on a virtual clock, with initial sequence numbers just below the wrap, move data both
// ways, also over a lossy wire, and every byte arrives in order.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpWrapAroundTests
{
    static (TcpSocket Client, TcpSocket Server) Connect(StackPair pair)
    {
        var listener = pair.B.CreateTcpSocket();
        listener.Bind(7);
        listener.Listen(4);
        var client = pair.A.CreateTcpSocket();
        Assert.Equal(Errno.EINPROGRESS, client.Connect(StackPair.AddressB, 7));
        TcpSocket? server = null;
        Assert.True(pair.Run(() => (server ??= listener.Accept(out _)) != null && client.State == TcpState.Established, 10_000));
        return (client, server!);
    }

    /// <summary>Sends length bytes each way at once and checks both streams; returns when both sides saw EOF.</summary>
    static void Exchange(StackPair pair, TcpSocket a, TcpSocket b, int length, long maxMs)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var gotA = new List<byte>(); var gotB = new List<byte>();
        int sentA = 0, sentB = 0;
        bool eofA = false, eofB = false;
        var buf = new byte[8192];
        void Step()
        {
            if (sentA < length) { int n = a.Send(data.AsSpan(sentA)); if (n > 0 && (sentA += n) == length) a.Shutdown(ShutdownHow.Write); }
            if (sentB < length) { int n = b.Send(data.AsSpan(sentB)); if (n > 0 && (sentB += n) == length) b.Shutdown(ShutdownHow.Write); }
            int r;
            while ((r = a.Receive(buf)) > 0) gotA.AddRange(buf.AsSpan(0, r).ToArray());
            if (r == 0) eofA = true;
            while ((r = b.Receive(buf)) > 0) gotB.AddRange(buf.AsSpan(0, r).ToArray());
            if (r == 0) eofB = true;
        }
        Assert.True(pair.Run(() => eofA && eofB, maxMs, Step), $"not finished: A got {gotA.Count}, B got {gotB.Count}");
        Assert.Equal(data, gotA.ToArray());
        Assert.Equal(data, gotB.ToArray());
    }

    [Fact]
    public void A_transfer_across_the_sequence_wrap_arrives_intact_both_ways()
    {
        uint next = 0xFFFF_F000;                     // 4 KiB before the wrap, for both sides
        var pair = new StackPair(o => o.TcpIssOverride = () => next);
        var (client, server) = Connect(pair);
        Assert.True(Seq.Lt(client.Connection!.InitialSendSequence, 0x10));
        Exchange(pair, client, server, 300_000, 60_000);
        Assert.True(client.Connection!.SendNext < 0x1_0000_0000 - 0xFFFF_F000 + 300_000 + 10); // it wrapped
    }

    [Fact]
    public void A_lossy_transfer_across_the_sequence_wrap_arrives_intact()
    {
        var pair = new StackPair(o => o.TcpIssOverride = () => 0xFFFF_FFF0);
        var (client, server) = Connect(pair);
        var random = new Random(7);
        pair.Drop = (_, frame) => frame.Length > 100 && random.NextDouble() < 0.05;
        Exchange(pair, client, server, 200_000, 600_000);
        Assert.True(pair.A.Stats.TcpRetransmissions > 0);
    }

    [Fact]
    public void The_receive_window_and_out_of_order_queue_work_across_the_wrap()
    {
        var t = TcpScript.Passive(peerIss: 0xFFFF_FF00);
        var data = new byte[1200];
        new Random(3).NextBytes(data);
        uint start = t.PeerSeq;                                   // 0xFFFFFF01: the wrap is 255 bytes ahead
        t.Send(TcpFlags.Ack, data[600..], seq: start + 600);     // past the wrap, out of order
        Assert.Equal(start, t.TakeSingle().Ack);
        t.Send(TcpFlags.Ack, data[..600], seq: start);
        Assert.Equal(start + 1200, t.TakeSingle().Ack);
        var buf = new byte[2000];
        Assert.Equal(1200, t.Socket.Receive(buf));
        Assert.Equal(data, buf[..1200]);
    }
}
