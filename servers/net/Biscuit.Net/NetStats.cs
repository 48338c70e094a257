// Counters for the net server's Stats request: frames in and out, drops by reason, and TCP events.
// Connections by state are computed on demand by NetStack.ConnectionsByState. Owner: the event loop.
namespace Biscuit.Net;

public sealed class NetStats
{
    public long FramesIn;
    public long FramesOut;
    public long BytesIn;
    public long BytesOut;
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
    public long TcpKeepAliveProbes;
    public long TcpChallengeAcks;
    public long TcpResetsSent;
    public long TcpResetsReceived;
    public long TcpActiveOpens;
    public long TcpPassiveOpens;

    readonly long[] dropped = new long[Enum.GetValues<DropReason>().Length];

    public void Drop(DropReason reason) => dropped[(int)reason]++;
    public long Dropped(DropReason reason) => dropped[(int)reason];
    public long TotalDropped { get { long t = 0; foreach (var d in dropped) t += d; return t; } }

    /// <summary>Every non-zero drop counter, for reports.</summary>
    public IEnumerable<(DropReason Reason, long Count)> DropCounts()
    {
        for (int i = 0; i < dropped.Length; i++)
            if (dropped[i] != 0) yield return ((DropReason)i, dropped[i]);
    }
}
