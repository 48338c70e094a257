// Malformed TCP input: truncated headers, impossible data offsets, bad option lengths, bad
// checksums, TCP to a broadcast address. Each is dropped and counted, never thrown.
using Biscuit.Net.Tests.Harness;

namespace Biscuit.Net.Tests.Unit;

public sealed class TcpBadInputTests
{
    static byte[] Syn() => FrameBuilder.Tcp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 40000, 80, 1, 0, TcpFlags.Syn, 1000, [], mss: 1460);

    static byte[] Rechecksum(byte[] d)
    {
        d[16] = d[17] = 0;
        ulong sum = InternetChecksum.PseudoHeader(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 6, d.Length);
        ushort c = InternetChecksum.Finish(InternetChecksum.Add(sum, d));
        d[16] = (byte)(c >> 8); d[17] = (byte)c;
        return d;
    }

    [Fact]
    public void Truncated_and_impossible_headers_are_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket(); l.Bind(80); l.Listen(4);
        var syn = Syn();
        p.SendIp(6, syn.AsSpan(0, 19).ToArray());                              // shorter than a header
        var offsetTooBig = (byte[])syn.Clone(); offsetTooBig[12] = 0xF0;       // 60-byte header in 24 bytes
        p.SendIp(6, Rechecksum(offsetTooBig));
        var offsetTooSmall = (byte[])syn.Clone(); offsetTooSmall[12] = 0x40;   // 16 bytes: less than the minimum
        p.SendIp(6, Rechecksum(offsetTooSmall));
        var badOption = (byte[])syn.Clone(); badOption[21] = 9;                 // MSS option claims 9 bytes
        p.SendIp(6, Rechecksum(badOption));
        var zeroOption = (byte[])syn.Clone(); zeroOption[21] = 0;               // option length 0 would loop forever
        p.SendIp(6, Rechecksum(zeroOption));
        Assert.Equal(5, p.Stack.Stats.Dropped(DropReason.TcpMalformed));
        Assert.Empty(p.TakeTcp());
        Assert.Equal(0, p.Stack.Tcp.ConnectionCount);
    }

    [Fact]
    public void A_bad_checksum_is_dropped_and_counted()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket(); l.Bind(80); l.Listen(4);
        p.SendIp(6, FrameBuilder.Tcp(ScriptedPeer.PeerIp, ScriptedPeer.StackIp, 40000, 80, 1, 0, TcpFlags.Syn, 1000, [], badChecksum: true));
        Assert.Equal(1, p.Stack.Stats.Dropped(DropReason.TcpBadChecksum));
        Assert.Empty(p.TakeTcp());
    }

    [Fact]
    public void Unknown_options_are_skipped_and_a_window_scale_above_14_is_capped()
    {
        var src = ScriptedPeer.PeerIp; var dst = ScriptedPeer.StackIp;
        var d = new byte[20 + 12];
        TcpSegment.Write(d, 1, 2, 3, 0, TcpFlags.Syn, 100, 0, -1, 0, src, dst);
        d[12] = (32 / 4) << 4;
        byte[] options = [30, 4, 0xAA, 0xBB, 1, 3, 3, 20, 2, 4, 0x05, 0xB4];   // unknown kind 30, NOP, wscale 20, MSS 1460
        options.CopyTo(d, 20);
        Assert.True(TcpSegment.TryParse(Rechecksum(d), src, dst, out var seg, out _));
        Assert.Equal(1460, seg.Mss);
        Assert.Equal(14, seg.WindowScale);                                        // RFC 7323 2.3
    }

    [Fact]
    public void Random_garbage_never_throws_and_every_frame_is_counted()
    {
        var p = new ScriptedPeer();
        var l = p.Stack.CreateTcpSocket(); l.Bind(80); l.Listen(4);
        var u = p.Stack.CreateUdpSocket(); u.Bind(53);
        var random = new Random(1234);
        for (int i = 0; i < 20_000; i++)
        {
            var payload = new byte[random.Next(0, 200)];
            random.NextBytes(payload);
            byte protocol = (byte)(random.Next(3) switch { 0 => 1, 1 => 6, _ => 17 });
            if (random.Next(2) == 0) p.SendIp(protocol, payload);
            else
            {
                var frame = new byte[random.Next(0, 1600)];
                random.NextBytes(frame);
                if (frame.Length >= 14) { ScriptedPeer.StackMac.Write(frame); frame[12] = 8; frame[13] = (byte)(random.Next(2) == 0 ? 0 : 6); }
                p.Stack.Receive(frame);
            }
            p.TakeTcp();
        }
        Assert.Equal(20_000 + 1, p.Stack.Stats.FramesIn);                          // +1: the ARP of the set-up
        Assert.True(p.Stack.Stats.TotalDropped > 15_000);
    }
}
