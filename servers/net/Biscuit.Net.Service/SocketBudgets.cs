// The heap budgets of the socket requests (DESIGN.md §4, MAXLIVE). tools/maxlive analyses the
// handlers (SocketService) but not the stack (Biscuit.Net is not annotated for it), so every call
// into the stack carries an explicit budget, derived here as an upper bound of what one call can
// allocate with the server's stack options (ServerStackOptions), and checked by the host test
// SocketBudgetTests (every request measured against its budget while it runs on the real stack).
namespace Biscuit.Net.Service;

public static class SocketBudgets
{
    /// <summary>Sockets the service hands out (SocketTable slots).</summary>
    public const int MaxSockets = 1024;
    /// <summary>NetStackOptions.TcpMaxConnections the server runs with.</summary>
    public const int MaxConnections = 1024;
    /// <summary>NetStackOptions.TcpMaxBuffer the server runs with (the largest SO_SNDBUF/SO_RCVBUF).</summary>
    public const int MaxBufferBytes = 1 << 20;

    /// <summary>An Ethernet frame copy (1514 bytes in an array).</summary>
    public const long FrameBytes = 1536;

    /// <summary>Frames waiting for ARP are copied; at most ArpPendingPacketsTotal (64) wait in all.</summary>
    public const long ArpQueueBytes = 64 * FrameBytes;                       // 98,304

    /// <summary>One growth of a stack table: the connection dictionary (at most MaxConnections
    /// entries: a resize allocates a prime above twice the count, 2,053 entries of at most 40 bytes
    /// and 2,053 int buckets, 90,332 bytes), a bound-port dictionary (at most MaxSockets entries,
    /// less), the readiness list and set (one entry per socket object, less). At most two grow in
    /// one call (the port and connection dictionaries of a connect).</summary>
    public const long TableGrowthBytes = 2 * 96 * 1024;                       // 196,608

    /// <summary>Tick: retransmissions and probes may wait for ARP; the timer scratch list grows to at
    /// most MaxConnections references (a resize to 2,048: 16,408 bytes).</summary>
    public const long TickBytes = ArpQueueBytes + 16 * 1024;                  // 114,688

    /// <summary>Publishing readiness: the scratch list was sized for MaxSockets, but the stack also
    /// reports sockets outside the table (the built-in echo's connections, at most MaxConnections):
    /// one resize to 2 * (MaxSockets + MaxConnections) references.</summary>
    public const long PublishBytes = 2 * (MaxSockets + MaxConnections) * 8 + 64;   // 32,832

    /// <summary>Calls that allocate nothing of their own but may send frames (ARP) or grow a table.</summary>
    public const long TableBytes = ArpQueueBytes + TableGrowthBytes;         // 294,912

    /// <summary>socket(): a TcpSocket or a UdpSocket with its empty queue (under 512 bytes) and the
    /// table entry (64 bytes).</summary>
    public const long SocketBytes = 1024;

    /// <summary>accept(): the new TcpSocket and its entry.</summary>
    public const long AcceptBytes = 1024;

    /// <summary>connect(): the connection (control block, two rings not yet grown, the out-of-order
    /// range list: under 4 KiB), the SYN waiting for ARP, two table growths.</summary>
    public const long ConnectBytes = 4096 + TableBytes;

    /// <summary>send(): the send ring grows by doubling to hold the data, to less than twice the
    /// buffer limit (2 * MaxBufferBytes); the segments it sends may wait for ARP.</summary>
    public const long SendBytes = 2L * MaxBufferBytes + ArpQueueBytes;

    /// <summary>recv(): the reply's array (at most MaxTransferBytes) and a window update that may
    /// wait for ARP.</summary>
    public const long ReceiveBytes = Protocol.SocketLimits.MaxTransferBytes + 64 + ArpQueueBytes;

    /// <summary>recv() into a buffer that is not on the heap (the scratch buffer, a window slot): a
    /// window update that may wait for ARP.</summary>
    public const long ReceiveIntoBytes = 64 + ArpQueueBytes;

    /// <summary>MapWindow: the window's pages are native memory, the rest system calls.</summary>
    public const long MapWindowBytes = 0;

    /// <summary>PollEvents: the reply's array of at most MaxEventsPerBatch events of 16 bytes.</summary>
    public const long PollEventsBytes = Protocol.SocketLimits.MaxEventsPerBatch * 16 + 32;

    /// <summary>ResetClient: one RST per socket (a frame each, which may wait for ARP) and the
    /// tables' bookkeeping.</summary>
    public const long ResetBytes = MaxSockets * FrameBytes + TableBytes;

    /// <summary>NetCounters: about 100 counters as (name, value) pairs and "name value" lines
    /// (names under 48 characters): the list, the strings, and the joined text, each under 16 KiB.</summary>
    public const long CountersBytes = 64 * 1024;
}
