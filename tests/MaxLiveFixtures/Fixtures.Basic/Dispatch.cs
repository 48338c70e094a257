// Interface dispatch over three implementations, and a closure invoked through a delegate.
using Biscuit.Annotations;

namespace MaxLiveFixtures;

public interface ICodec
{
    byte[] Encode(int value);
}

/// <summary>Returns a 24 + 4 = 28 -> 32-byte array.</summary>
public sealed class SmallCodec : ICodec { public byte[] Encode(int value) => new byte[4]; }

/// <summary>Returns a 24 + 16 = 40-byte array.</summary>
public sealed class MediumCodec : ICodec { public byte[] Encode(int value) => new byte[16]; }

/// <summary>Explicit implementation; returns a 24 + 48 = 72-byte array and keeps a 32-byte Node while it runs.</summary>
public sealed class LargeCodec : ICodec
{
    byte[] ICodec.Encode(int value)
    {
        var scratch = new Node();
        GC.KeepAlive(scratch);
        return new byte[48];
    }
}

/// <summary>A delegate type of the same shape as Func&lt;object&gt;.</summary>
public delegate object Maker();

public sealed class Dispatch
{
    private Maker _bigMaker = () => new byte[100]; // address taken, but only ever made into a Maker

    [RequestHandler("DelegateType")]
    public object DelegateType()
    {
        Func<object> make = () => new Empty();
        return make();
    }

    [RequestHandler("Interface")]
    public int Interface(ICodec codec, int value) => codec.Encode(value).Length;

    private static object s_kept;

    private static int Keep(object item)
    {
        s_kept = item;
        return 1;
    }

    [RequestHandler("StaticDelegate")]
    public int StaticDelegate()
    {
        Func<object, int> keep = Keep;
        return keep(new Empty());
    }

    [RequestHandler("Closure")]
    public int Closure(int seed)
    {
        Func<int> next = () => seed + 1;
        return next();
    }
}
