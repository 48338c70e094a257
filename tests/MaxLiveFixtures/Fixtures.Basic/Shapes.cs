// Object shapes whose sizes the tests compute by hand (tools/maxlive/README.md, size model).
namespace MaxLiveFixtures;

/// <summary>No fields: 16 header bytes, padded to the 24-byte minimum.</summary>
public sealed class Empty { }

/// <summary>A reference and an int: 16 + (8 + 4 padded to 16) = 32.</summary>
public sealed class Node
{
    public Node Next;
    public int Value;
}

/// <summary>Two references: 16 + 16 = 32.</summary>
public sealed class Pair
{
    public object A;
    public object B;
}

/// <summary>One reference, stored by the constructor: 16 + 8 = 24.</summary>
public sealed class Holder
{
    public object Item;
    public Holder(object item) { Item = item; }
}

public static class Limits
{
    public const int MaxPath = 7;
    public const int MaxNames = 12;
}

/// <summary>byte, long, byte in declaration order: 1 + 7 padding + 8 + 1 + 7 padding = 24 bytes.</summary>
public struct Padded
{
    public byte A;
    public long B;
    public byte C;
}

/// <summary>One int per class level: each level is padded to 8, so 16 + 8 + 8 = 32.</summary>
public class BaseRecord { public int Id; }

public sealed class DerivedRecord : BaseRecord { public int Size; }

/// <summary>An inline array of eight longs: 64 bytes although its metadata lists one field.</summary>
[System.Runtime.CompilerServices.InlineArray(8)]
public struct EightLongs
{
    private long _element;
}

/// <summary>One reference: 16 + 8 = 24.</summary>
public sealed class Registry
{
    public Holder Last;
}
