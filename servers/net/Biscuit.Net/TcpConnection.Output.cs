// Segment output for a connection: what to send now given the peer's window, the congestion window,
// Nagle's algorithm (RFC 896, RFC 9293 3.7.4; off with TCP_NODELAY) and sender-side silly window
// avoidance (RFC 9293 3.8.6.2.1); the window we advertise, with receiver-side silly window avoidance
// (3.8.6.2.2) and window scaling (RFC 7323); and the control segments (ACK, RST, challenge ACK).
namespace Biscuit.Net;

internal sealed partial class TcpConnection
{
    /// <summary>Sends every segment the windows and Nagle allow. force: send a short segment even if
    /// Nagle or SWS avoidance would hold it (used by the persist timer's override, RFC 9293 3.8.6.2.1).</summary>
    void Output(bool force = false)
    {
        if (State is TcpState.Closed or TcpState.Listen or TcpState.TimeWait) return;
        if (sndUna == iss)
        {
            // The SYN (or SYN-ACK) is not acknowledged yet: it is the only thing we may send.
            if (sndNxt == iss && State is TcpState.SynSent or TcpState.SynReceived)
            {
                var flags = State == TcpState.SynSent ? TcpFlags.Syn : TcpFlags.Syn | TcpFlags.Ack;
                if (Seq.Lt(sndNxt, sndMax)) stack.Stats.TcpRetransmissions++;
                SendSegment(iss, flags, 0, 0);
                sndNxt = iss + 1;
                if (Seq.Gt(sndNxt, sndMax)) sndMax = sndNxt;
                ArmRetransmitTimer();
            }
            return;
        }
        if (sndUna == sndMax && sendQueue.Count > 0 && lastDataSentAt > 0 && stack.Now - lastDataSentAt > rto.Rto)
            congestion.RestartAfterIdle();
        while (true)
        {
            int offset = (int)(sndNxt - dataStart);            // bytes of the queue already sent
            if (offset < 0) offset = 0;
            int available = Math.Max(sendQueue.Count - offset, 0);
            long window = Math.Min(sndWnd, congestion.Cwnd + LimitedTransmitAllowance());
            long usable = window - (long)(sndNxt - sndUna);
            int length = (int)Math.Clamp(Math.Min(available, usable), 0, smss);
            bool finPending = finQueued && Seq.Le(sndNxt, dataStart + (uint)sendQueue.Count);
            bool withFin = finPending && length == available && usable > length;
            if (length == 0 && !withFin)
            {
                ArmPersistTimerIfStalled(available > 0 || finPending);
                return;
            }
            if (length < smss && !withFin && !force)
            {
                bool retransmission = Seq.Lt(sndNxt, sndMax);
                bool drainsQueue = length == available;
                bool idle = sndNxt == sndUna;
                bool bigEnough = maxSndWnd > 0 && length >= maxSndWnd / 2;
                if (!(retransmission || bigEnough || (drainsQueue && (idle || NoDelay))))
                {
                    ArmPersistTimerIfStalled(true);
                    return;
                }
            }
            var flags = TcpFlags.Ack;
            if (length > 0 && length == available) flags |= TcpFlags.Psh;
            if (withFin) flags |= TcpFlags.Fin;
            uint seq = sndNxt;
            if (Seq.Lt(seq, sndMax)) stack.Stats.TcpRetransmissions++;
            else if (!timing && length > 0) { timing = true; timedSeq = seq; timedAt = stack.Now; }
            SendSegment(seq, flags, offset, length);
            if (length > 0) lastDataSentAt = Math.Max(stack.Now, 1);
            sndNxt = seq + (uint)length + (withFin ? 1u : 0u);
            if (Seq.Gt(sndNxt, sndMax)) sndMax = sndNxt;
            ArmRetransmitTimer();
            force = false;
            if (withFin) return;
        }
    }

    /// <summary>RFC 3042 limited transmit: on the first two duplicate ACKs, one new segment each may be
    /// sent beyond cwnd, so that a small window still produces the three duplicates fast retransmit needs.</summary>
    long LimitedTransmitAllowance() =>
        !congestion.InFastRecovery && congestion.DuplicateAcks is 1 or 2 && sndNxt == sndMax
            ? (long)congestion.DuplicateAcks * smss : 0;

    void ArmRetransmitTimer()
    {
        if (retransmitAt == Never) retransmitAt = stack.Now + rto.Rto;   // RFC 6298 5.1
        persistAt = Never;
    }

    /// <summary>Data (or a FIN) waits but nothing is in flight to bring an ACK back: only the persist timer
    /// can restart the flow (RFC 9293 3.8.6.1 zero-window probing; 3.8.6.2.1 SWS override).</summary>
    void ArmPersistTimerIfStalled(bool somethingWaits)
    {
        if (somethingWaits && sndUna == sndMax && retransmitAt == Never && persistAt == Never)
            persistAt = stack.Now + Math.Max(persistInterval, rto.Rto);
    }

    /// <summary>Resends the segment at SND.UNA (fast retransmit, NewReno partial ACK) without moving SND.NXT.</summary>
    void RetransmitFirstUnacknowledged()
    {
        int available = sendQueue.Count - (int)(sndUna - dataStart);
        int length = Math.Clamp(available, 0, smss);
        var flags = TcpFlags.Ack;
        if (finQueued && length == available && Seq.Gt(sndMax, dataStart + (uint)sendQueue.Count)) flags |= TcpFlags.Fin;
        if (length == 0 && (flags & TcpFlags.Fin) == 0) return;
        stack.Stats.TcpRetransmissions++;
        if (timing) timing = false;                                      // Karn: no sample from this range
        SendSegment(sndUna, flags, (int)(sndUna - dataStart), length);
        retransmitAt = stack.Now + rto.Rto;
    }

    /// <summary>The window field to advertise (RFC 9293 3.8.6.2.2 receiver SWS avoidance; RFC 7323 scaling).</summary>
    ushort WindowField(bool syn)
    {
        long free = receiveQueue.Free;
        if (syn)
        {
            uint w = (uint)Math.Min(free, 65535);
            if (State != TcpState.SynSent) rcvAdvertisedEdge = rcvNxt + w;   // in SYN-SENT RCV.NXT is not known yet
            return (ushort)w;
        }
        uint edge = rcvNxt + (uint)free;
        // Move the right edge only by a useful amount, and never back (a window must not shrink).
        if (Seq.Le(edge, rcvAdvertisedEdge) || (edge - rcvAdvertisedEdge) < Math.Min(receiveQueue.Capacity / 2, rmss))
            edge = Seq.Max(rcvAdvertisedEdge, rcvNxt);
        long window = Math.Min((long)(edge - rcvNxt) >> rcvShift, 65535);
        if (window == 0) stack.Stats.TcpZeroWindowsAdvertised++;
        uint newEdge = rcvNxt + (uint)(window << rcvShift);
        if (Seq.Gt(newEdge, rcvAdvertisedEdge)) rcvAdvertisedEdge = newEdge;
        return (ushort)window;
    }

    void SendSegment(uint seq, TcpFlags flags, int queueOffset, int length)
    {
        bool syn = (flags & TcpFlags.Syn) != 0;
        bool withAck = (flags & TcpFlags.Ack) != 0;
        int mss = syn ? rmss : 0;
        bool active = State == TcpState.SynSent;
        int windowScale = syn && (active || windowScaleEnabled) ? rcvShiftOffered : -1;
        bool sackPermitted = syn && stack.Options.TcpSack && (active || sackEnabled);
        // RFC 2018 4: report out-of-order data in every ACK that does not cover it. Only segments without
        // data carry the blocks, so that a full-sized segment never grows past the MTU.
        Span<uint> sackEdges = stackalloc uint[2 * TcpSegment.MaxSackBlocks];
        int blocks = 0;
        if (sackEnabled && withAck && !syn && length == 0 && (flags & TcpFlags.Rst) == 0 && receiveQueue.HasOutOfOrder)
        {
            Span<int> ranges = stackalloc int[2 * TcpSegment.MaxSackBlocks];
            blocks = receiveQueue.SackRanges(ranges);
            for (int i = 0; i < 2 * blocks; i++) sackEdges[i] = rcvNxt + (uint)ranges[i];
        }
        int headerLength = TcpSegment.HeaderLengthFor(mss > 0, windowScale >= 0, sackPermitted, blocks);
        var buffer = stack.Ip.PayloadBuffer;
        if (length > 0) sendQueue.CopyOut(queueOffset, buffer.Slice(headerLength, length));
        ushort window = WindowField(syn);
        TcpSegment.Write(buffer, LocalPort, RemotePort, seq, withAck ? rcvNxt : 0, flags, window, mss, windowScale, length,
            LocalAddress, RemoteAddress, sackPermitted, sackEdges.Slice(0, 2 * blocks));
        stack.Ip.Send(LocalAddress, RemoteAddress, Ipv4Packet.ProtocolTcp, headerLength + length);
        stack.Stats.TcpSegmentsOut++;
        if (withAck)
        {
            delayedAckAt = Never;
            unackedReceivedBytes = 0;
            ackNow = false;
        }
    }

    /// <summary>An ACK with no data: &lt;SEQ=SND.MAX&gt;&lt;ACK=RCV.NXT&gt;. RFC 9293 says SND.NXT, which is the
    /// same except while we go back to resend after a timeout; then SND.NXT lies below what the peer has
    /// received, the peer would find our ACK unacceptable and answer with an ACK of its own, and two
    /// stacks in that state would trade ACKs for ever. BSD uses SND.MAX for pure ACKs for this reason.</summary>
    void SendAck()
    {
        if (State is TcpState.Closed or TcpState.SynSent or TcpState.Listen) return;
        SendSegment(sndMax, TcpFlags.Ack, 0, 0);
    }

    /// <summary>The ACK owed for an unacceptable segment (RFC 9293 3.10.7.4). For segments without data
    /// it is rate-limited (as Linux does), so that no exchange of unacceptable ACKs can run away.</summary>
    void SendAckForUnacceptable(int segmentLength)
    {
        if (segmentLength == 0)
        {
            if (stack.Now < nextOutOfWindowAckAt) { stack.Stats.TcpOutOfWindowAcksSuppressed++; return; }
            nextOutOfWindowAckAt = stack.Now + stack.Options.TcpOutOfWindowAckIntervalMs;
        }
        SendAck();
    }

    /// <summary>RFC 5961 3.2/4.2/5.2 challenge ACK.</summary>
    void SendChallengeAck()
    {
        stack.Stats.TcpChallengeAcks++;
        SendAck();
    }

    /// <summary>A control segment without data at seq (RST, or an ACK-bearing probe).</summary>
    void SendControl(uint seq, TcpFlags flags)
    {
        if ((flags & TcpFlags.Rst) != 0) stack.Stats.TcpResetsSent++;
        SendSegment(seq, flags, 0, 0);
    }
}
