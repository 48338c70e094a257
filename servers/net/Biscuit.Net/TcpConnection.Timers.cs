// The timers of a connection, run from NetStack.Tick: retransmission (RFC 6298 section 5, with
// go-back-N from SND.UNA and the RFC 5681 loss window), persist / zero-window probing (RFC 9293
// 3.8.6.1, RFC 1122 4.2.2.17: exponential back-off, the connection is kept as long as the peer
// answers, and dropped after TcpMaxRetransmissions probes that got no answer), delayed ACK (RFC 9293 3.8.6.3), keep-alive (RFC 9293 3.8.4, RFC 1122 4.2.3.6), and the
// end of TIME-WAIT or of an orphaned FIN-WAIT-2.
namespace Biscuit.Net;

internal sealed partial class TcpConnection
{
    public long NextDeadline() =>
        Math.Min(Math.Min(retransmitAt, delayedAckAt), Math.Min(Math.Min(persistAt, keepAliveAt), closeAt));

    public void OnTick()
    {
        long now = stack.Now;
        if (closeAt <= now) { Destroy(); return; }
        if (retransmitAt <= now) { OnRetransmitTimeout(); if (State == TcpState.Closed) return; }
        if (persistAt <= now) OnPersistTimeout();
        if (keepAliveAt <= now) { OnKeepAliveTimeout(); if (State == TcpState.Closed) return; }
        if (delayedAckAt <= now) SendAck();
    }

    void OnRetransmitTimeout()
    {
        retransmitAt = Never;
        if (sndUna == sndMax) return;
        stack.Stats.TcpTimeouts++;
        retransmitsInARow++;
        bool synPhase = State is TcpState.SynSent or TcpState.SynReceived;
        int limit = synPhase ? stack.Options.TcpMaxSynRetransmissions : stack.Options.TcpMaxRetransmissions;
        if (retransmitsInARow > limit)
        {
            if (!synPhase) SendControl(sndMax, TcpFlags.Rst);
            Fail(Errno.ETIMEDOUT);
            return;
        }
        if (!synPhase) congestion.OnTimeout((long)(sndMax - sndUna), sndMax);
        rto.BackOff();                        // RFC 6298 5.5
        timing = false;                       // Karn's algorithm
        sndNxt = sndUna == iss ? iss : sndUna; // go back to the first unacknowledged byte (or the SYN)
        retransmitAt = Never;
        Output(force: true);                  // RFC 6298 5.4 and 5.6: resend and restart the timer
        if (retransmitAt == Never && sndUna != sndMax) retransmitAt = stack.Now + rto.Rto;
    }

    void OnPersistTimeout()
    {
        persistAt = Never;
        if (State is TcpState.Closed or TcpState.TimeWait) return;
        int offset = (int)(sndNxt - dataStart);
        int available = Math.Max(sendQueue.Count - Math.Max(offset, 0), 0);
        if (sndWnd > 0)
        {
            // The window is open but Nagle or SWS avoidance held a short segment: send it now.
            Output(force: true);
            return;
        }
        // A peer that answers probes is kept for ever (RFC 9293 3.8.6.1); one that stays silent is
        // dead, and is given up on like any unanswered retransmission.
        if (++persistProbesUnanswered > stack.Options.TcpMaxRetransmissions) { Fail(Errno.ETIMEDOUT); return; }
        stack.Stats.TcpZeroWindowProbes++;
        if (Seq.Gt(sndNxt, sndUna) && sendQueue.Count > 0)
        {
            // A probe octet is outstanding: send it again (the persist timer, not the retransmission
            // timer, repeats it, so a peer that answers is never given up on).
            SendSegment(sndUna, TcpFlags.Ack, (int)(sndUna - dataStart), 1);
        }
        else if (available > 0)
        {
            // One octet of new data beyond the zero window (RFC 9293 3.8.6.1).
            SendSegment(sndNxt, TcpFlags.Ack, offset, 1);
            sndNxt++;
            if (Seq.Gt(sndNxt, sndMax)) sndMax = sndNxt;
        }
        else
        {
            // Only a FIN waits: an empty probe below SND.UNA makes the peer report its window.
            SendSegment(sndUna - 1, TcpFlags.Ack, 0, 0);
        }
        persistInterval = Math.Min(Math.Max(persistInterval, rto.Rto) * 2, stack.Options.TcpPersistMaxMs);
        persistAt = stack.Now + persistInterval;
    }

    void OnKeepAliveTimeout()
    {
        keepAliveAt = Never;
        if (!KeepAlive || State is not (TcpState.Established or TcpState.CloseWait)) return;
        if (keepAliveProbesSent >= stack.Options.TcpKeepAliveProbes) { Fail(Errno.ETIMEDOUT); return; }
        keepAliveProbesSent++;
        stack.Stats.TcpKeepAliveProbes++;
        SendSegment(sndUna - 1, TcpFlags.Ack, 0, 0);   // RFC 9293 3.8.4: SEG.SEQ = SND.NXT-1, no data
        keepAliveAt = stack.Now + stack.Options.TcpKeepAliveIntervalMs;
    }

    /// <summary>Turns keep-alive on or off (SO_KEEPALIVE).</summary>
    public void SetKeepAlive(bool on)
    {
        KeepAlive = on;
        keepAliveAt = on && State is TcpState.Established or TcpState.CloseWait
            ? stack.Now + stack.Options.TcpKeepAliveIdleMs : Never;
    }
}
