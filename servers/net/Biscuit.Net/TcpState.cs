// The states of a TCP connection (RFC 9293 section 3.3.2, figure 5).
namespace Biscuit.Net;

public enum TcpState
{
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}
