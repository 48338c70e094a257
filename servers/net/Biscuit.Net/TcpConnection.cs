// One TCP connection: its transmission control block (RFC 9293 section 3.3.1) and the calls the
// socket layer makes on it (send, receive, shutdown, close, abort). The state machine's input side
// is in TcpConnection.Input.cs, segment output in TcpConnection.Output.cs and the timers in
// TcpConnection.Timers.cs. Owner of every field: the event loop (the stack is single-threaded).
// Invariants:
//   SND.UNA <= SND.NXT <= SND.MAX (mod 2^32); SND.NXT only moves back to resend: to SND.UNA after a
//   timeout (go-back-N), or to ISS when a lost SYN-ACK must be repeated.
//   Byte i of sendQueue has sequence number dataStart + i; dataStart = SND.UNA once the SYN is acked
//   (and until our FIN is acked, after which SND.UNA = dataStart + 1).
//   When finQueued, our FIN has sequence number dataStart + sendQueue.Count.
//   RCV.NXT only moves forward; the advertised right edge (rcvAdvertisedEdge) never moves back.
namespace Biscuit.Net;

internal sealed partial class TcpConnection
{
    internal const long Never = long.MaxValue;

    readonly NetStack stack;
    readonly TcpLayer layer;
    public readonly TcpLayer.ConnectionKey Key;
    public Ipv4Address LocalAddress => Key.LocalAddress;
    public Ipv4Address RemoteAddress => Key.RemoteAddress;
    public ushort LocalPort => Key.LocalPort;
    public ushort RemotePort => Key.RemotePort;

    public TcpState State { get; private set; }
    /// <summary>The user's socket; null once the user closed it (the connection is then "orphaned").</summary>
    public TcpSocket? Socket;
    /// <summary>The listener this connection was accepted from, until the user accepts it.</summary>
    public TcpListener? Listener;
    public bool PassiveOpen => passive;
    readonly bool passive;

    // --- Send sequence space (RFC 9293 3.3.1) ---
    uint iss;
    uint sndUna, sndNxt, sndMax;        // SND.MAX: highest sequence number sent (BSD's snd_max)
    uint sndWl1, sndWl2;
    long sndWnd;                        // the peer's window in bytes, already scaled
    long maxSndWnd;                     // largest window the peer ever offered (RFC 5961 5.2, SWS)
    int sndShift;                       // the peer's window scale (RFC 7323)
    uint dataStart;
    readonly ByteRing sendQueue;
    bool finQueued;                     // the user will send no more: our FIN follows the queued data
    int smss;                           // the most data we put in one segment

    // --- Receive sequence space ---
    uint irs, rcvNxt;
    uint rcvAdvertisedEdge;
    int rcvShift;                       // our window scale (0 unless both sides agreed)
    readonly int rcvShiftOffered;
    bool windowScaleEnabled;            // both SYNs carried the option (RFC 7323 2.2)
    bool sackEnabled;                   // both SYNs carried SACK-permitted (RFC 2018 2)
    readonly TcpReceiveQueue receiveQueue;
    readonly int rmss;                  // the MSS we announce: MTU - 40
    bool finReceived;
    bool outOfOrderFin;                 // a FIN arrived ahead of a gap; it takes effect at outOfOrderFinSeq
    uint outOfOrderFinSeq;
    bool readShutdown;

    // --- Timers (absolute ms on the stack's clock; Never = off) ---
    long retransmitAt = Never, delayedAckAt = Never, persistAt = Never, keepAliveAt = Never, closeAt = Never;
    long persistInterval;
    int retransmitsInARow;
    int keepAliveProbesSent;
    int persistProbesUnanswered;        // zero-window probes since the peer last sent anything
    int unackedReceivedBytes;           // in-order bytes received since our last ACK (delayed ACK)
    long lastDataSentAt;                // when we last sent data (for the RFC 5681 4.1 idle restart)
    bool ackNow;
    long nextOutOfWindowAckAt;          // rate limit of ACKs answering unacceptable empty segments

    // --- Round-trip timing (one segment at a time, Karn's algorithm) ---
    bool timing;
    uint timedSeq;
    long timedAt;
    readonly RtoEstimator rto;
    readonly NewRenoCongestion congestion;

    /// <summary>The error to report through SO_ERROR / the next call (ECONNRESET, ETIMEDOUT, ...).</summary>
    public Errno PendingError;
    public bool NoDelay;
    public bool KeepAlive;

    TcpConnection(NetStack stack, TcpLayer layer, TcpLayer.ConnectionKey key, bool passive, int sendBuffer, int receiveBuffer)
    {
        this.stack = stack;
        this.layer = layer;
        this.passive = passive;
        Key = key;
        var o = stack.Options;
        sendQueue = new ByteRing(sendBuffer);
        receiveQueue = new TcpReceiveQueue(receiveBuffer, o.TcpMaxOutOfOrderRanges);
        rmss = stack.Link.Mtu - Ipv4Packet.MinHeaderLength - TcpSegment.MinHeaderLength;
        smss = Math.Min(536, rmss);
        while (rcvShiftOffered < 14 && (receiveBuffer >> rcvShiftOffered) > 65535) rcvShiftOffered++;
        iss = layer.NewInitialSequenceNumber(key);
        sndUna = sndNxt = sndMax = iss;
        dataStart = iss + 1;
        rto = new RtoEstimator(o.TcpInitialRtoMs, o.TcpMinRtoMs, o.TcpMaxRtoMs);
        congestion = new NewRenoCongestion(smss, iss);
        persistInterval = o.TcpPersistMinMs;
    }

    /// <summary>Active open (RFC 9293 3.10.1): sends a SYN and enters SYN-SENT.</summary>
    public static TcpConnection Connect(NetStack stack, TcpLayer layer, TcpLayer.ConnectionKey key, TcpSocket socket)
    {
        var c = new TcpConnection(stack, layer, key, passive: false, socket.SendBufferSize, socket.ReceiveBufferSize)
        {
            Socket = socket, NoDelay = socket.NoDelay, KeepAlive = socket.KeepAlive,
        };
        c.State = TcpState.SynSent;
        stack.Stats.TcpActiveOpens++;
        c.Output();
        return c;
    }

    /// <summary>Passive open: a SYN reached a listener (RFC 9293 3.10.7.2); answers SYN-ACK, enters SYN-RECEIVED.</summary>
    public static TcpConnection Accept(NetStack stack, TcpLayer layer, TcpLayer.ConnectionKey key, TcpListener listener, in TcpSegment syn)
    {
        var ls = listener.Socket;
        var c = new TcpConnection(stack, layer, key, passive: true, ls.SendBufferSize, ls.ReceiveBufferSize)
        {
            Listener = listener, NoDelay = ls.NoDelay, KeepAlive = ls.KeepAlive,
        };
        c.State = TcpState.SynReceived;
        c.TakeSynOptions(syn);
        c.irs = syn.Seq;
        c.rcvNxt = syn.Seq + 1;
        c.sndWnd = syn.Window;                 // RFC 7323 2.2: the window in a SYN is never scaled
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = syn.Seq;
        c.sndWl2 = c.iss;
        stack.Stats.TcpPassiveOpens++;
        c.Output();
        return c;
    }

    void TakeSynOptions(in TcpSegment syn)
    {
        smss = Math.Min(syn.Mss > 0 ? syn.Mss : 536, rmss);   // RFC 9293 3.7.1: 536 when absent
        smss = Math.Max(smss, 64);
        congestion.SetMss(smss, resetInitialWindow: true);   // the initial window depends on the MSS (RFC 5681 eq. 1)
        // An active open always offers window scaling in its SYN; a passive open answers in kind.
        windowScaleEnabled = syn.WindowScale >= 0;
        sndShift = windowScaleEnabled ? syn.WindowScale : 0;
        rcvShift = windowScaleEnabled ? rcvShiftOffered : 0;
        sackEnabled = syn.SackPermitted && stack.Options.TcpSack;
    }

    // ------------------------------------------------------------------ user calls

    public uint ReceiveNext => rcvNxt;
    public uint SendUnacknowledged => sndUna;
    public uint SendNext => sndNxt;
    public uint InitialSendSequence => iss;
    public int SendBufferFree => sendQueue.Free;
    public int Readable => receiveQueue.Readable;
    public int SendInFlight => (int)(sndMax - sndUna);
    public bool FinReceived => finReceived;
    public bool WriteShutdown => finQueued;
    public bool ReadShutdown => readShutdown;
    public int SendQueued => sendQueue.Count;
    public int SendCapacity => sendQueue.Capacity;
    public long Cwnd => congestion.Cwnd;
    public long Rto => rto.Rto;
    public long PeerWindow => sndWnd;
    public int EffectiveMss => smss;
    public int BufferMemory => sendQueue.StorageBytes + receiveQueue.StorageBytes;

    /// <summary>SO_SNDBUF on a live connection: the send buffer's new limit (never below what it holds).</summary>
    public void SetSendBufferSize(int bytes)
    {
        sendQueue.SetCapacity(bytes);
        Socket?.NotifyReadiness();
    }

    public bool CanSend => State is TcpState.Established or TcpState.CloseWait && !finQueued;

    public int Send(ReadOnlySpan<byte> data)
    {
        if (PendingError != Errno.None) return -(int)TakeError();
        if (finQueued || State is not (TcpState.Established or TcpState.CloseWait or TcpState.SynSent or TcpState.SynReceived))
            return -(int)Errno.EPIPE;                      // as Linux: the connection is finished or our side shut down
        if (data.Length == 0) return 0;
        int n = sendQueue.Append(data);
        if (n == 0) return -(int)Errno.EAGAIN;
        Output();
        return n;
    }

    /// <summary>recv(); with peek (MSG_PEEK) the bytes stay in the queue and the window does not move.</summary>
    public int Receive(Span<byte> buffer, bool peek = false)
    {
        if (receiveQueue.Readable > 0 && !readShutdown)
        {
            if (peek) return receiveQueue.Peek(buffer);
            int n = receiveQueue.Read(buffer);
            OnApplicationRead();
            return n;
        }
        if (peek && PendingError != Errno.None) return -(int)PendingError;
        if (PendingError != Errno.None) return -(int)TakeError();
        if (finReceived || readShutdown || State == TcpState.Closed) return 0;
        if (State is TcpState.SynSent or TcpState.SynReceived or TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2)
            return -(int)Errno.EAGAIN;
        return 0;
    }

    public Errno TakeError()
    {
        var e = PendingError;
        PendingError = Errno.None;
        return e;
    }

    /// <summary>shutdown(SHUT_WR): queue our FIN after the data (RFC 9293 3.10.4 CLOSE, one direction).</summary>
    public void ShutdownWrite()
    {
        if (finQueued) return;
        switch (State)
        {
            case TcpState.SynSent:
                Destroy();
                return;
            case TcpState.SynReceived:
            case TcpState.Established:
                finQueued = true;
                if (State == TcpState.Established) SetState(TcpState.FinWait1);
                break;
            case TcpState.CloseWait:
                finQueued = true;
                SetState(TcpState.LastAck);
                break;
            default:
                return;
        }
        Output();
    }

    /// <summary>shutdown(SHUT_RD): discard unread data; later data is acknowledged and dropped.</summary>
    public void ShutdownRead()
    {
        readShutdown = true;
        int n = receiveQueue.Readable;
        if (n > 0)
        {
            Span<byte> sink = stackalloc byte[1024];
            while (receiveQueue.Read(sink) > 0) { }
            OnApplicationRead();
        }
    }

    /// <summary>close(): graceful close, or a reset if unread data would be lost (RFC 9293 3.10.4;
    /// RFC 2525 2.17). The connection lives on without its socket until it is finished.</summary>
    public void Close()
    {
        Socket = null;
        if (State == TcpState.Closed) return;
        if (State == TcpState.TimeWait) { receiveQueue.Clear(); return; }
        if (receiveQueue.Readable > 0) { Abort(); return; }
        ShutdownWrite();
        if (State == TcpState.FinWait2) closeAt = Math.Min(closeAt, stack.Now + stack.Options.TcpFinWait2TimeoutMs);
    }

    /// <summary>Abortive close (RFC 9293 3.10.5 ABORT): send RST in synchronized states, then forget.</summary>
    public void Abort()
    {
        if (State is TcpState.SynReceived or TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.CloseWait)
            SendControl(sndMax, TcpFlags.Rst);   // SND.MAX: acceptable to the peer even while we resend
        Destroy();
    }

    /// <summary>A one-line picture of the control block, for diagnostics and the Stats request.</summary>
    public string Describe() =>
        $"{RemoteAddress}:{RemotePort}->{LocalAddress}:{LocalPort} {State} una={sndUna - iss} nxt={sndNxt - iss} max={sndMax - iss} " +
        $"queued={sendQueue.Count} fin={finQueued} sndWnd={sndWnd} cwnd={congestion.Cwnd} ssthresh={congestion.Ssthresh} " +
        $"recovery={congestion.InFastRecovery} rto={rto.Rto} rexmitAt={retransmitAt} persistAt={persistAt} " +
        $"rcvNxt={rcvNxt - irs} readable={receiveQueue.Readable} free={receiveQueue.Free} ooo={receiveQueue.HasOutOfOrder} " +
        $"advEdge={rcvAdvertisedEdge - rcvNxt} finRcvd={finReceived} now={stack.Now}";

    // ------------------------------------------------------------------ life cycle

    void SetState(TcpState next)
    {
        if (State == next) return;
        var previous = State;
        State = next;
        if (next == TcpState.Established && previous == TcpState.SynReceived && Listener != null)
            Listener.OnChildEstablished(this);
        if (next == TcpState.Established && KeepAlive)
            keepAliveAt = stack.Now + stack.Options.TcpKeepAliveIdleMs;
        if (next == TcpState.FinWait2 && Socket == null)
            closeAt = stack.Now + stack.Options.TcpFinWait2TimeoutMs;
        if (next == TcpState.TimeWait)
        {
            closeAt = stack.Now + 2 * stack.Options.TcpMslMs;   // RFC 9293 3.4.2: 2 MSL
            retransmitAt = persistAt = keepAliveAt = Never;
            sendQueue.Clear();
            if (Socket == null) receiveQueue.Clear();        // nobody will read: keep only the control block
        }
        NotifySocket();
    }

    /// <summary>Fails the connection with an error for the user (reset, refused, timed out).</summary>
    void Fail(Errno error)
    {
        PendingError = error;
        Destroy();
    }

    /// <summary>Enters CLOSED and removes the connection from the stack; idempotent.</summary>
    public void Destroy()
    {
        if (State == TcpState.Closed && !layer.Contains(this)) return;
        var wasSynReceived = State == TcpState.SynReceived;
        State = TcpState.Closed;
        retransmitAt = delayedAckAt = persistAt = keepAliveAt = closeAt = Never;
        sendQueue.Clear();
        if (Socket == null) receiveQueue.Clear();
        Listener?.OnChildClosed(this, wasSynReceived);
        layer.Remove(this);
        NotifySocket();
    }

    void NotifySocket()
    {
        if (Socket != null) stack.NoteReadinessChanged(Socket);
    }
}
