// Congestion control: slow start and congestion avoidance (RFC 5681 section 3.1), fast retransmit and
// fast recovery (RFC 5681 3.2) with the NewReno modification for partial acknowledgments (RFC 6582
// section 3.2), and the loss-window after a timeout (RFC 5681 3.1, equation 4). Byte counting in
// congestion avoidance (RFC 5681 3.1 "appropriate byte counting", RFC 3465). The connection calls in
// on every new ACK, every duplicate ACK and every retransmission timeout; the return values tell it
// when to retransmit. Invariant: cwnd >= 1 SMSS.
namespace Biscuit.Net;

internal sealed class NewRenoCongestion
{
    int smss;
    long bytesAckedInAvoidance;

    public long Cwnd { get; private set; }
    public long Ssthresh { get; private set; } = int.MaxValue; // RFC 5681 3.1: initially arbitrarily high
    public int DuplicateAcks { get; private set; }
    public bool InFastRecovery { get; private set; }
    /// <summary>RFC 6582 "recover": the highest sequence number sent when recovery (or a timeout) began.</summary>
    public uint Recover { get; private set; }
    /// <summary>False once an ACK covered more than Recover: from then on any third duplicate ACK may start
    /// a recovery. (Keeping this flag instead of comparing with a stale Recover stays right across 2^32 wrap.)</summary>
    bool recoverPending;

    public NewRenoCongestion(int smss, uint iss)
    {
        SetMss(smss);
        Cwnd = InitialWindow(smss);
        Recover = iss;
        recoverPending = false;
    }

    /// <summary>RFC 5681 equation 1 (the RFC 3390 initial window).</summary>
    static long InitialWindow(int smss) => smss > 2190 ? 2L * smss : smss > 1095 ? 3L * smss : 4L * smss;

    public void SetMss(int mss, bool resetInitialWindow = false)
    {
        smss = Math.Max(mss, 1);
        if (resetInitialWindow) Cwnd = InitialWindow(smss);
    }

    /// <summary>An ACK that advanced SND.UNA by acked bytes. Returns true if NewReno asks to retransmit
    /// the first unacknowledged segment now (a partial ACK during recovery).</summary>
    public bool OnNewAck(uint ack, long acked, long flightBefore)
    {
        DuplicateAcks = 0;
        if (InFastRecovery)
        {
            if (Seq.Gt(ack, Recover))
            {
                // Full acknowledgment (RFC 6582 3.2 step 3): deflate the window and leave recovery.
                Cwnd = Math.Max(Math.Min(Ssthresh, Math.Max(flightBefore - acked, 0) + smss), smss);
                InFastRecovery = false;
                recoverPending = !Seq.Gt(ack - 1, Recover);
                return false;
            }
            // Partial acknowledgment (step 4): retransmit, deflate by the amount acked, add back one SMSS.
            Cwnd = Math.Max(Cwnd - acked + (acked >= smss ? smss : 0), smss);
            return true;
        }
        if (recoverPending && Seq.Gt(ack - 1, Recover)) recoverPending = false;
        if (Cwnd < Ssthresh) Cwnd += Math.Min(acked, smss);      // slow start (RFC 5681 equation 2)
        else
        {
            bytesAckedInAvoidance += acked;                      // congestion avoidance (equation 3)
            if (bytesAckedInAvoidance >= Cwnd) { bytesAckedInAvoidance -= Cwnd; Cwnd += smss; }
        }
        return false;
    }

    /// <summary>A duplicate ACK (RFC 5681 section 2 definition, checked by the caller). Returns true
    /// when this is the third one and fast retransmit must happen now.</summary>
    public bool OnDuplicateAck(uint ack, long flight, uint sndMax)
    {
        DuplicateAcks++;
        if (InFastRecovery) { Cwnd += smss; return false; }       // RFC 5681 3.2 step 4: inflate
        if (DuplicateAcks != 3) return false;
        // RFC 6582 3.2 step 2: only start a new recovery if the ACK covers more than "recover".
        if (recoverPending && !Seq.Gt(ack - 1, Recover)) return false;
        Ssthresh = Math.Max(flight / 2, 2L * smss);               // RFC 5681 equation 4
        Recover = sndMax - 1;                                     // the highest sequence number sent
        recoverPending = true;
        Cwnd = Ssthresh + 3L * smss;
        InFastRecovery = true;
        return true;
    }

    /// <summary>RFC 5681 4.1: after an idle period longer than the RTO, start again from the restart
    /// window, min(IW, cwnd), since the ACK clock is gone.</summary>
    public void RestartAfterIdle()
    {
        Cwnd = Math.Min(Cwnd, InitialWindow(smss));
        bytesAckedInAvoidance = 0;
    }

    /// <summary>The retransmission timer expired (RFC 5681 3.1, RFC 6582 3.2 step 2 note on timeouts).</summary>
    public void OnTimeout(long flight, uint sndMax)
    {
        Ssthresh = Math.Max(flight / 2, 2L * smss);
        Cwnd = smss;                                              // loss window
        DuplicateAcks = 0;
        InFastRecovery = false;
        Recover = sndMax - 1;                                     // the highest sequence number sent
        recoverPending = true;
        bytesAckedInAvoidance = 0;
    }
}
