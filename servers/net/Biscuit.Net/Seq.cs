// TCP sequence number arithmetic modulo 2^32 (RFC 9293 section 3.4; RFC 1982 serial number style):
// a < b means b is "after" a, judged by the sign of the 32-bit difference. Correct whenever the two
// numbers are less than 2^31 apart, which TCP's windows guarantee (windows are at most 2^30).
namespace Biscuit.Net;

public static class Seq
{
    public static bool Lt(uint a, uint b) => (int)(a - b) < 0;
    public static bool Le(uint a, uint b) => (int)(a - b) <= 0;
    public static bool Gt(uint a, uint b) => (int)(a - b) > 0;
    public static bool Ge(uint a, uint b) => (int)(a - b) >= 0;
    public static uint Max(uint a, uint b) => Gt(a, b) ? a : b;
    public static uint Min(uint a, uint b) => Lt(a, b) ? a : b;
    /// <summary>True if low &lt;= x &lt; high (modulo 2^32).</summary>
    public static bool InRange(uint x, uint low, uint high) => Le(low, x) && Lt(x, high);
}
