// Counters for the net server's Stats request: frames in and out, drops by reason, and TCP events.
// Connections by state are computed on demand by NetStack.ConnectionsByState. Owner: the event loop.
namespace Biscuit.Net;

public sealed class NetStats
{
    public long FramesIn;
    public long FramesOut;
    public long BytesIn;
    public long BytesOut;
    /// <summary>Datagrams the stack sent to itself through the loopback queue, and their bytes.</summary>
    public long LoopbackDatagrams;
    public long LoopbackBytes;
    public long ArpRequestsSent;
    public long ArpRepliesSent;
    public long IcmpEchoReplies;
    public long IcmpErrorsSent;
    public long IcmpErrorsReceived;
    public long FragmentsReassembled;
    public long UdpDatagramsIn;
    public long UdpDatagramsOut;
    public long TcpSegmentsIn;
    public long TcpSegmentsOut;
    public long TcpRetransmissions;
    public long TcpFastRetransmits;
    public long TcpTimeouts;
    public long TcpZeroWindowProbes;
    /// <summary>Segments in which we advertised a zero window / ACKs in which the peer closed its window.</summary>
    public long TcpZeroWindowsAdvertised;
    public long TcpZeroWindowsReceived;
    public long TcpKeepAliveProbes;
    public long TcpChallengeAcks;
    public long TcpOutOfWindowAcksSuppressed;
    public long TcpResetsSent;
    public long TcpResetsReceived;
    public long TcpActiveOpens;
    public long TcpPassiveOpens;
    public long TcpTimeWaitRecycled;

    readonly long[] dropped = new long[Enum.GetValues<DropReason>().Length];

    public void Drop(DropReason reason) => dropped[(int)reason]++;
    public long Dropped(DropReason reason) => dropped[(int)reason];
    public long TotalDropped { get { long t = 0; foreach (var d in dropped) t += d; return t; } }

    /// <summary>Every counter by name, drops as "dropped.&lt;reason&gt;" (non-zero ones only), for the Stats reply.</summary>
    public List<(string Name, long Value)> Snapshot()
    {
        var all = new List<(string, long)>
        {
            ("frames.in", FramesIn), ("frames.out", FramesOut), ("bytes.in", BytesIn), ("bytes.out", BytesOut),
            ("loopback.datagrams", LoopbackDatagrams), ("loopback.bytes", LoopbackBytes),
            ("dropped.total", TotalDropped),
            ("arp.requests_sent", ArpRequestsSent), ("arp.replies_sent", ArpRepliesSent),
            ("icmp.echo_replies", IcmpEchoReplies), ("icmp.errors_sent", IcmpErrorsSent), ("icmp.errors_received", IcmpErrorsReceived),
            ("ip.fragments_reassembled", FragmentsReassembled),
            ("udp.in", UdpDatagramsIn), ("udp.out", UdpDatagramsOut),
            ("tcp.segments_in", TcpSegmentsIn), ("tcp.segments_out", TcpSegmentsOut),
            ("tcp.retransmissions", TcpRetransmissions), ("tcp.fast_retransmits", TcpFastRetransmits),
            ("tcp.timeouts", TcpTimeouts), ("tcp.zero_window_probes", TcpZeroWindowProbes),
            ("tcp.zero_windows_advertised", TcpZeroWindowsAdvertised), ("tcp.zero_windows_received", TcpZeroWindowsReceived),
            ("tcp.keepalive_probes", TcpKeepAliveProbes), ("tcp.challenge_acks", TcpChallengeAcks),
            ("tcp.out_of_window_acks_suppressed", TcpOutOfWindowAcksSuppressed),
            ("tcp.resets_sent", TcpResetsSent), ("tcp.resets_received", TcpResetsReceived),
            ("tcp.active_opens", TcpActiveOpens), ("tcp.passive_opens", TcpPassiveOpens),
            ("tcp.time_wait_recycled", TcpTimeWaitRecycled),
        };
        foreach (var (reason, count) in DropCounts()) all.Add(("dropped." + reason, count));
        return all;
    }

    /// <summary>Every non-zero drop counter, for reports.</summary>
    public IEnumerable<(DropReason Reason, long Count)> DropCounts()
    {
        for (int i = 0; i < dropped.Length; i++)
            if (dropped[i] != 0) yield return ((DropReason)i, dropped[i]);
    }
}
