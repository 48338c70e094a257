// Straight-line handlers: stack-only, escaping, returned, stored through constructors and helpers.
using Biscuit.Annotations;

namespace MaxLiveFixtures;

public sealed class StraightLine
{
    private object _state;          // the server's long-lived state
    private static object s_cache;  // a static: long-lived too

    [RequestHandler("StackOnly")]
    public void StackOnly()
    {
        var a = new Empty();
        var b = new byte[16];
        var c = new Node();
        GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(c);
    }

    [RequestHandler("Escapes")]
    public void Escapes()
    {
        _state = new Node();
        s_cache = new byte[8];
        var scratch = new Pair();
        GC.KeepAlive(scratch);
    }

    [RequestHandler("ContainedEscapes")]
    public void ContainedEscapes()
    {
        var inner = new Node();
        var outer = new Pair { A = inner };
        _state = outer;
    }

    private static Node Make() => new Node();

    [RequestHandler("ViaHelper")]
    public void ViaHelper()
    {
        var keep = Make();
        var drop = Make();
        _state = keep;
        GC.KeepAlive(drop);
    }

    private static int Scratch()
    {
        var buffer = new byte[100];
        return buffer.Length;
    }

    [RequestHandler("CalleePeak")]
    public int CalleePeak()
    {
        var a = new Empty();
        GC.KeepAlive(a);
        return Scratch() + Scratch();
    }

    [RequestHandler("ConstructorStores")]
    public void ConstructorStores() => _state = new Holder(new Empty());

    [RequestHandler("ConstructorStackOnly")]
    public void ConstructorStackOnly()
    {
        var holder = new Holder(new Empty());
        GC.KeepAlive(holder);
    }

    [RequestHandler("Boxing")]
    public void Boxing(int value)
    {
        object boxed = value;
        GC.KeepAlive(boxed);
    }

    [RequestHandler("BoxPadded")]
    public void BoxPadded()
    {
        object boxed = new Padded();
        GC.KeepAlive(boxed);
    }

    [RequestHandler("BoxInlineArray")]
    public object BoxInlineArray() => new EightLongs();

    [RequestHandler("ThroughRef")]
    public void ThroughRef(bool first)
    {
        object a = new Empty();
        object b = new Node();
        ref object chosen = ref (first ? ref a : ref b);
        s_cache = chosen; // either object may be the one that escapes
    }

    private static void Wrap(Registry registry, object item) => registry.Last = new Holder(item);

    [RequestHandler("ThroughCalleeWrapper")]
    public void ThroughCalleeWrapper()
    {
        var registry = new Registry();
        var item = new Empty();
        Wrap(registry, item);          // the callee wraps item in a new Holder inside registry
        s_cache = registry.Last.Item;  // and item leaks out through that wrapper
    }

    private static void Publish(Pair pair) => s_cache = pair.A;

    [RequestHandler("ThroughArgumentContents")]
    public void ThroughArgumentContents()
    {
        var inner = new Node();
        var pair = new Pair { A = inner };
        Publish(pair); // the callee publishes what the caller put inside its argument
    }

    [RequestHandler("Inheritance")]
    public object Inheritance() => new DerivedRecord();

    [RequestHandler("Reply")]
    public Node Reply() => new Node { Next = new Node() };

    [RequestHandler("Utf8")]
    public byte[] Utf8([MaxCount(10)] string name) => System.Text.Encoding.UTF8.GetBytes(name);

    [RequestHandler("Pooled")]
    public int Pooled()
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(100);
        int length = buffer.Length;
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        return length;
    }

    [RequestHandler("Interpolated")]
    public string Interpolated(int id, [MaxCount(20)] string name) => $"inode {id} is {name}";

    [RequestHandler("Concat")]
    public string Concat([MaxCount(10)] string name) => string.Concat("Hello, ", name);
}
