// The arrival of a segment on a connection: RFC 9293 section 3.10.7.3 (SYN-SENT) and 3.10.7.4 (the
// other states), checked in the RFC's order: sequence number, RST, SYN, ACK, (URG ignored), text, FIN.
// RFC 5961 is followed for blind-attack resistance: an RST must match RCV.NXT exactly (3.2), any SYN
// in a synchronized state gets a challenge ACK (4.2), and an ACK must lie within
// [SND.UNA - MAX.SND.WND, SND.MAX] (5.2). Acknowledgments drive RFC 6298 timing and NewReno.
namespace Biscuit.Net;

internal sealed partial class TcpConnection
{
    public void Input(in TcpSegment seg)
    {
        stack.Stats.TcpSegmentsIn++;
        keepAliveProbesSent = 0;
        persistProbesUnanswered = 0;
        if (KeepAlive && State is TcpState.Established or TcpState.CloseWait)
            keepAliveAt = stack.Now + stack.Options.TcpKeepAliveIdleMs;

        if (State == TcpState.SynSent) { InputSynSent(seg); return; }
        if (State == TcpState.Closed) return;

        // A retransmitted SYN while we are in SYN-RECEIVED: our SYN-ACK was lost, send it again.
        if (State == TcpState.SynReceived && seg.Has(TcpFlags.Syn) && !seg.Has(TcpFlags.Ack) && seg.Seq == irs)
        {
            sndNxt = iss;
            Output();
            return;
        }

        // --- First: the sequence number (RFC 9293 3.10.7.4, the four acceptability cases) ---
        uint window = (uint)receiveQueue.Free;
        bool rst = seg.Has(TcpFlags.Rst);
        var data = seg.Payload;
        uint dataSeq = seg.Seq + (seg.Has(TcpFlags.Syn) ? 1u : 0u);
        bool fin = seg.Has(TcpFlags.Fin);
        if (!Acceptable(seg.Seq, seg.Length, window))
        {
            // Zero window: still take the ACK (and RST) of a segment that starts at RCV.NXT; drop its text.
            if (window == 0 && seg.Seq == rcvNxt && !rst)
            {
                data = default;
                fin = false;
                ackNow = true;                 // the text was not acceptable: say so (RFC 9293 3.10.7.4)
            }
            else
            {
                if (!rst)
                {
                    SendAckForUnacceptable(seg.Length);
                    if (State == TcpState.TimeWait && fin) closeAt = stack.Now + 2 * stack.Options.TcpMslMs;
                }
                stack.Stats.Drop(DropReason.TcpOutOfWindow);
                return;
            }
        }
        // Trim to the window: text before RCV.NXT was received already; text past the window is dropped.
        if (Seq.Lt(dataSeq, rcvNxt))
        {
            int old = (int)Math.Min(rcvNxt - dataSeq, (uint)data.Length);
            data = data.Slice(old);
            dataSeq += (uint)old;
        }
        uint finSeq = dataSeq + (uint)data.Length;
        int room = (int)(window - (dataSeq - rcvNxt));
        if (data.Length > room) { data = data.Slice(0, Math.Max(room, 0)); fin = false; }

        // --- Second: RST (RFC 9293 3.10.7.4, RFC 5961 3.2) ---
        if (rst)
        {
            if (seg.Seq == rcvNxt) { stack.Stats.TcpResetsReceived++; OnReset(); }
            else { stack.Stats.Drop(DropReason.TcpRstIgnored); SendChallengeAck(); }
            return;
        }

        // --- Fourth: SYN in a synchronized state (RFC 5961 4.2: challenge ACK, whatever the sequence) ---
        if (seg.Has(TcpFlags.Syn))
        {
            stack.Stats.Drop(DropReason.TcpInvalidInState);
            SendChallengeAck();
            return;
        }

        // --- Fifth: ACK ---
        if (!seg.Has(TcpFlags.Ack)) { stack.Stats.Drop(DropReason.TcpInvalidInState); return; }
        uint ack = seg.Ack;
        if (State == TcpState.SynReceived)
        {
            if (!(Seq.Lt(sndUna, ack) && Seq.Le(ack, sndMax)))
            {
                stack.Stats.Drop(DropReason.TcpBadAck);
                SendControl(ack, TcpFlags.Rst);
                return;
            }
            SetState(TcpState.Established);
            if (finQueued) SetState(TcpState.FinWait1);
        }
        if (Seq.Gt(ack, sndMax) || Seq.Lt(ack, sndUna - (uint)Math.Max(maxSndWnd, 1)))
        {
            // Acknowledges something never sent, or something far too old (RFC 5961 5.2): ACK and drop.
            stack.Stats.Drop(DropReason.TcpBadAck);
            SendAck();
            return;
        }
        long newWindow = (long)seg.Window << sndShift;
        // RFC 5681 section 2 "duplicate acknowledgment": the window must be unchanged, except that an ACK
        // carrying SACK blocks reports newly received data whatever its window (RFC 6675 section 2
        // "DupAck"; Linux receivers shrink the window as out-of-order data piles up). While probing a
        // zero window (no retransmission timer running) repeated ACKs answer probes, not losses.
        bool duplicate = ack == sndUna && seg.Payload.Length == 0 && !seg.Has(TcpFlags.Fin)
            && sndMax != sndUna && retransmitAt != Never
            && (newWindow == sndWnd || (sackEnabled && seg.SackBlocks.Length > 0));
        bool finWasAcked = OurFinAcked;
        if (Seq.Gt(ack, sndUna)) OnNewAck(ack);
        else if (duplicate) OnDuplicateAck(ack);
        // Window update (RFC 9293 3.10.7.4): only from a segment newer than the last one that set it.
        if (Seq.Lt(sndWl1, seg.Seq) || (sndWl1 == seg.Seq && Seq.Le(sndWl2, ack)))
        {
            bool opened = sndWnd == 0 && newWindow > 0;
            if (newWindow == 0 && sndWnd != 0) stack.Stats.TcpZeroWindowsReceived++;
            sndWnd = newWindow;
            sndWl1 = seg.Seq;
            sndWl2 = ack;
            maxSndWnd = Math.Max(maxSndWnd, sndWnd);
            if (opened) { persistAt = Never; persistInterval = stack.Options.TcpPersistMinMs; }
        }
        if (!finWasAcked && OurFinAcked)
        {
            switch (State)
            {
                case TcpState.FinWait1: SetState(TcpState.FinWait2); break;
                case TcpState.Closing: SetState(TcpState.TimeWait); break;
                case TcpState.LastAck: Destroy(); return;
            }
        }

        // --- Seventh: segment text (RFC 9293 3.10.7.4); URG (sixth) is not supported and ignored ---
        if (data.Length > 0 && State is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2)
            StoreText(dataSeq, data);

        // --- Eighth: FIN, which takes effect only once every byte before it arrived ---
        if (fin && !finReceived && State is not (TcpState.Closed or TcpState.TimeWait))
        {
            if (finSeq == rcvNxt) OnFin();
            else if (Seq.Gt(finSeq, rcvNxt)) { outOfOrderFin = true; outOfOrderFinSeq = finSeq; ackNow = true; }
        }
        if (outOfOrderFin && !finReceived && rcvNxt == outOfOrderFinSeq) OnFin();

        Output();
        if (ackNow) SendAck();
        NotifySocket();
    }

    /// <summary>RFC 9293 3.10.7.4 acceptability test; the window is the room in the receive queue.</summary>
    bool Acceptable(uint seq, int length, uint window)
    {
        if (length == 0)
            return window == 0 ? seq == rcvNxt : Seq.InRange(seq, rcvNxt, rcvNxt + window);
        if (window == 0) return false;
        return Seq.InRange(seq, rcvNxt, rcvNxt + window) || Seq.InRange(seq + (uint)length - 1, rcvNxt, rcvNxt + window);
    }

    void InputSynSent(in TcpSegment seg)
    {
        bool hasAck = seg.Has(TcpFlags.Ack);
        if (hasAck && (Seq.Le(seg.Ack, iss) || Seq.Gt(seg.Ack, sndMax)))
        {
            stack.Stats.Drop(DropReason.TcpBadAck);
            if (!seg.Has(TcpFlags.Rst)) SendControl(seg.Ack, TcpFlags.Rst);
            return;
        }
        if (seg.Has(TcpFlags.Rst))
        {
            // Only an RST that acknowledges our SYN is believed (RFC 9293 3.10.7.3; RFC 5961 3.2 note).
            if (hasAck) { stack.Stats.TcpResetsReceived++; Fail(Errno.ECONNREFUSED); }
            else stack.Stats.Drop(DropReason.TcpRstIgnored);
            return;
        }
        if (!seg.Has(TcpFlags.Syn)) { stack.Stats.Drop(DropReason.TcpInvalidInState); return; }

        TakeSynOptions(seg);
        irs = seg.Seq;
        rcvNxt = seg.Seq + 1;
        rcvAdvertisedEdge = rcvNxt;            // our SYN's window was relative to nothing: start afresh
        sndWnd = seg.Window;                   // never scaled in a SYN (RFC 7323 2.2)
        maxSndWnd = sndWnd;
        sndWl1 = seg.Seq;
        if (hasAck)
        {
            sndWl2 = seg.Ack;
            OnNewAck(seg.Ack);                 // acknowledges our SYN
            SetState(TcpState.Established);
            if (seg.Payload.Length > 0) StoreText(rcvNxt, seg.Payload.Slice(0, Math.Min(seg.Payload.Length, receiveQueue.Free)));
            ackNow = true;
            Output();
            if (ackNow) SendAck();
        }
        else
        {
            // Simultaneous open (RFC 9293 figure 8): answer with SYN-ACK from SYN-RECEIVED.
            sndWl2 = iss;
            SetState(TcpState.SynReceived);
            sndNxt = iss;
            retransmitAt = Never;
            Output();
        }
        NotifySocket();
    }

    /// <summary>A hard ICMP error (port or protocol unreachable) about our segment with sequence number seq.</summary>
    public void OnHardIcmpError(uint seq)
    {
        if (State == TcpState.SynSent && seq == iss) Fail(Errno.ECONNREFUSED);
    }

    /// <summary>An acceptable RST (RFC 9293 3.10.7.4 "second, check the RST bit").</summary>
    void OnReset()
    {
        switch (State)
        {
            case TcpState.SynReceived:
                if (passive) Destroy();                 // back to LISTEN: the listener simply forgets it
                else Fail(Errno.ECONNREFUSED);
                break;
            case TcpState.Established:
            case TcpState.FinWait1:
            case TcpState.FinWait2:
            case TcpState.CloseWait:
                Fail(Errno.ECONNRESET);
                break;
            default:                                    // CLOSING, LAST-ACK, TIME-WAIT
                Destroy();
                break;
        }
    }

    /// <summary>Our FIN (sequence number dataStart once the queue is empty) has been acknowledged.</summary>
    bool OurFinAcked => finQueued && sendQueue.Count == 0 && sndUna == dataStart + 1;

    void OnNewAck(uint ack)
    {
        long acked = (long)(ack - sndUna);
        long flightBefore = (long)(sndMax - sndUna);
        bool synWasUnacked = sndUna == iss;
        sndUna = ack;
        if (Seq.Lt(sndNxt, sndUna)) sndNxt = sndUna;
        // Remove acknowledged data from the send queue (the SYN and FIN occupy no queue bytes).
        int dataAcked = Seq.Gt(ack, dataStart) ? (int)Math.Min(ack - dataStart, (uint)sendQueue.Count) : 0;
        if (dataAcked > 0) { sendQueue.Discard(dataAcked); dataStart += (uint)dataAcked; }
        if (timing && Seq.Gt(ack, timedSeq)) { rto.AddSample(stack.Now - timedAt); timing = false; }
        retransmitsInARow = 0;
        if (!synWasUnacked || acked > 1)
        {
            if (congestion.OnNewAck(ack, acked, flightBefore)) RetransmitFirstUnacknowledged();
        }
        // RFC 6298 5.2/5.3: stop the timer when all is acknowledged, else restart it.
        retransmitAt = sndUna == sndMax ? Never : stack.Now + rto.Rto;
        if (dataAcked > 0) NotifySocket();
    }

    void OnDuplicateAck(uint ack)
    {
        long flight = (long)(sndMax - sndUna);
        if (congestion.OnDuplicateAck(ack, flight, sndMax))
        {
            stack.Stats.TcpFastRetransmits++;
            RetransmitFirstUnacknowledged();
        }
        // Output() runs after input processing: inflated cwnd (fast recovery) or limited transmit may send new data.
    }

    void StoreText(uint seq, ReadOnlySpan<byte> data)
    {
        int offset = (int)(seq - rcvNxt);
        bool hadGap = receiveQueue.HasOutOfOrder;
        int advance = receiveQueue.Store(offset, data);
        if (advance < 0) { stack.Stats.Drop(DropReason.TcpOutOfOrderLimit); ackNow = true; return; }
        rcvNxt += (uint)advance;
        if (readShutdown && receiveQueue.Readable > 0)
        {
            Span<byte> sink = stackalloc byte[1024];
            while (receiveQueue.Read(sink) > 0) { }
        }
        // RFC 5681 4.2 / RFC 9293 3.8.6.3: ACK at once for out-of-order data and when a gap fills;
        // otherwise at least every second full-sized segment, or when the delayed-ACK timer expires.
        if (offset > 0 || hadGap) { ackNow = true; return; }
        unackedReceivedBytes += advance;
        if (unackedReceivedBytes >= 2 * rmss) ackNow = true;
        else if (delayedAckAt == Never) delayedAckAt = stack.Now + stack.Options.TcpDelayedAckMs;
    }

    void OnFin()
    {
        rcvNxt++;
        finReceived = true;
        outOfOrderFin = false;
        ackNow = true;
        switch (State)
        {
            case TcpState.SynReceived:
            case TcpState.Established: SetState(TcpState.CloseWait); break;
            case TcpState.FinWait1: SetState(OurFinAcked ? TcpState.TimeWait : TcpState.Closing); break;
            case TcpState.FinWait2: SetState(TcpState.TimeWait); break;
        }
    }

    /// <summary>The user read data: advertise the larger window if it grew enough (RFC 9293 3.8.6.2.2).</summary>
    void OnApplicationRead()
    {
        if (State is TcpState.Closed or TcpState.SynSent or TcpState.TimeWait) return;
        long advertised = (long)(rcvAdvertisedEdge - rcvNxt);
        long possible = receiveQueue.Free;
        if (possible - advertised >= Math.Min(receiveQueue.Capacity / 2, rmss)) SendAck();
    }
}
