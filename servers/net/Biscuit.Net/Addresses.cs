// Addresses: the 48-bit Ethernet MAC address and the 32-bit IPv4 address as small value types.
// Invariant: both are immutable and compare by value; the IPv4 address is kept in host order
// (its most significant byte is the first byte on the wire, RFC 791 section 3.1).
using System.Buffers.Binary;

namespace Biscuit.Net;

/// <summary>An Ethernet (IEEE 802) MAC address, 6 bytes, stored in the low 48 bits.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFFUL);
    public static readonly MacAddress Zero = new(0);

    public static MacAddress Read(ReadOnlySpan<byte> bytes)
    {
        ulong v = 0;
        for (int i = 0; i < 6; i++) v = (v << 8) | bytes[i];
        return new MacAddress(v);
    }

    public void Write(Span<byte> bytes)
    {
        for (int i = 0; i < 6; i++) bytes[i] = (byte)(Value >> (40 - 8 * i));
    }

    public static MacAddress Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6) throw new FormatException($"not a MAC address: '{text}'");
        ulong v = 0;
        foreach (var p in parts) v = (v << 8) | Convert.ToByte(p, 16);
        return new MacAddress(v);
    }

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[6];
        Write(b);
        return $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}";
    }
}

/// <summary>An IPv4 address in host byte order.</summary>
public readonly record struct Ipv4Address(uint Value)
{
    public static readonly Ipv4Address Any = new(0);
    public static readonly Ipv4Address Broadcast = new(0xFFFF_FFFF);
    /// <summary>127.0.0.1, the source the stack uses toward any loopback address.</summary>
    public static readonly Ipv4Address Loopback = new(0x7F00_0001);

    public static Ipv4Address Read(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadUInt32BigEndian(bytes));
    public void Write(Span<byte> bytes) => BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);

    public bool IsMulticast => (Value >> 28) == 0xE;
    /// <summary>127.0.0.0/8 (RFC 1122 3.2.1.3 (g)): addresses of this host that never leave it.</summary>
    public bool IsLoopback => (Value >> 24) == 127;

    public static Ipv4Address Parse(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4) throw new FormatException($"not an IPv4 address: '{text}'");
        uint v = 0;
        foreach (var p in parts) v = (v << 8) | byte.Parse(p);
        return new Ipv4Address(v);
    }

    public override string ToString() => $"{Value >> 24}.{(Value >> 16) & 255}.{(Value >> 8) & 255}.{Value & 255}";
}
