// net's side of the socket data window (Biscuit.Net.Protocol/SocketWindow.cs): which window is
// granted, to whom, and the checks every transfer passes before a socket call touches the slot.
// Every check — a window not granted or of another run (ESTALE), a caller that is not the grantee
// (EACCES, by the badge of its capability), a slot or range outside the window (ERANGE), an address
// that is not page aligned (EINVAL), a second window (EBUSY) — is an error reply; nothing here
// throws for bad input. Every field and method is guarded by StackHost.Gate (the caller holds it),
// like the sockets the transfers touch.
using Biscuit.Annotations;
using Biscuit.Net.Protocol;
using static Biscuit.Net.Protocol.LinuxErrno;

namespace Biscuit.Net.Service;

public sealed class SocketWindow(ISocketWindowPages? pages, SocketCalls calls, long instance)
{
    private readonly ulong nonce = (ulong)instance << 32;   // this run's ids differ from any other run's (instances are random)
    private ulong windowId;              // the granted window's id, 0 when none
    private ulong grantee;               // the badge of the caller it was granted to
    private ulong granted;               // windows granted in this run
    private long bytesSent, bytesReceived;   // socket bytes moved through the window

    /// <summary>The window granted now, or 0.</summary>
    public ulong Id => windowId;

    /// <summary>MapWindow: grants the pages to the caller (badge `badge`) at `address`.</summary>
    [AssumeAllocation(SocketBudgets.MapWindowBytes)]
    public SocketWindowLayout Map(long address, ulong badge)
    {
        if (pages == null) return new SocketWindowLayout(-EOPNOTSUPP, 0, 0, 0);
        if (address <= 0 || address % SocketWindowLimits.PageBytes != 0) return new SocketWindowLayout(-EINVAL, 0, 0, 0);
        if (windowId != 0) return new SocketWindowLayout(-EBUSY, 0, 0, 0);   // ResetClient gives it back
        int r = pages.GrantToCaller(address);
        if (r < 0) return new SocketWindowLayout(r, 0, 0, 0);
        granted++;
        windowId = nonce | (granted & 0xFFFF_FFFF);
        grantee = badge;
        return new SocketWindowLayout(0, windowId, SocketWindowLimits.Slots, SocketWindowLimits.SlotBytes);
    }

    /// <summary>SendFromWindow: Send of the slot's bytes, once the window checks passed.</summary>
    [AssumeAllocation(SocketBudgets.SendBytes)]
    public long Send(WindowSend request, ulong badge)
    {
        int bad = TransferError(request.WindowId, badge, request.Slot, request.Offset, request.Count);
        if (bad != 0) return -bad;
        long n = calls.Send(request.Id, Slot(request.Slot, request.Offset, request.Count), request.Address, request.Port);
        if (n > 0) bytesSent += n;
        return n;
    }

    /// <summary>ReceiveToWindow: Receive into the slot, once the window checks passed.</summary>
    [AssumeAllocation(SocketBudgets.ReceiveIntoBytes)]
    public WindowReceiveReply Receive(WindowReceive request, ulong badge)
    {
        int bad = TransferError(request.WindowId, badge, request.Slot, request.Offset, request.Max);
        if (bad != 0) return new WindowReceiveReply(-bad, 0, 0, -1);
        var r = calls.Receive(request.Id, Slot(request.Slot, request.Offset, request.Max), request.Flags);
        if (r.Result > 0) bytesReceived += r.Result;
        return r;
    }

    /// <summary>The client is gone (ResetClient): its window is taken back.</summary>
    [AssumeAllocation(0)]
    public void Revoke()
    {
        pages?.Revoke();
        windowId = 0;
        grantee = 0;
    }

    /// <summary>The window's counters for NetCounters.</summary>
    [AssumeAllocation(256)]
    public (string Name, long Value)[] Counters() =>
        [("window.granted", (long)granted), ("window.bytes_sent", bytesSent), ("window.bytes_received", bytesReceived)];

    // The window checks of a transfer: 0, or the errno (the socket is checked by the call).
    private int TransferError(ulong named, ulong badge, int slot, int offset, int count)
    {
        if (windowId == 0 || named != windowId) return ESTALE;
        if (badge != grantee) return EACCES;
        if (slot < 0 || slot >= SocketWindowLimits.Slots || offset < 0 || count < 0 || offset > SocketWindowLimits.SlotBytes - count)
            return ERANGE;
        return 0;
    }

    private Span<byte> Slot(int slot, int offset, int count) => pages!.Bytes(slot * SocketWindowLimits.SlotBytes + offset, count);
}
