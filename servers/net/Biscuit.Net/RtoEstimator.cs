// The retransmission timeout per RFC 6298: SRTT and RTTVAR from RTT samples (2.2, 2.3) with
// alpha = 1/8 and beta = 1/4, RTO = SRTT + max(G, 4*RTTVAR) clamped to [min, max] (2.4, 2.5), and
// exponential back-off on expiry (5.5). Karn's algorithm (section 3) is the caller's duty: it only
// feeds samples from segments that were not retransmitted. Times in ms; G is 1 ms.
namespace Biscuit.Net;

internal sealed class RtoEstimator
{
    readonly long minRto, maxRto;
    double srtt, rttvar;
    bool hasSample;

    public long Rto { get; private set; }
    public int Backoffs { get; private set; }
    public double SmoothedRtt => srtt;

    public RtoEstimator(long initialRto, long minRto, long maxRto)
    {
        this.minRto = minRto;
        this.maxRto = maxRto;
        Rto = Math.Clamp(initialRto, minRto, maxRto);
    }

    public void AddSample(long rttMs)
    {
        double r = Math.Max(rttMs, 0);
        if (!hasSample)
        {
            srtt = r;            // RFC 6298 2.2
            rttvar = r / 2;
            hasSample = true;
        }
        else
        {
            rttvar = 0.75 * rttvar + 0.25 * Math.Abs(srtt - r); // RFC 6298 2.3, RTTVAR first
            srtt = 0.875 * srtt + 0.125 * r;
        }
        Backoffs = 0;
        Rto = Math.Clamp((long)Math.Ceiling(srtt + Math.Max(1.0, 4 * rttvar)), minRto, maxRto);
    }

    /// <summary>RFC 6298 5.5: RTO = RTO * 2, bounded by the maximum.</summary>
    public void BackOff()
    {
        Backoffs++;
        Rto = Math.Min(Rto * 2, maxRto);
    }
}
