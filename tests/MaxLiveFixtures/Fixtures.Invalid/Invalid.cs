// Each handler here must be refused with a message naming what is wrong.
using Biscuit.Annotations;

namespace MaxLiveInvalid;

public static class FirstLimits { public const int Max = 4; }
public static class SecondLimits { public const int Max = 5; }

public sealed class Item { public int Value; }

public sealed class Handlers
{
    [RequestHandler("UnknownConstant")]
    [MaxIterations("NoSuchConstant")]
    public void UnknownConstant(int n) { for (int i = 0; i < n; i++) GC.KeepAlive(new Item()); }

    [RequestHandler("AmbiguousConstant")]
    [MaxIterations("Max")]
    public void AmbiguousConstant(int n) { for (int i = 0; i < n; i++) GC.KeepAlive(new Item()); }

    [RequestHandler("QualifiedConstant")]
    [MaxIterations("SecondLimits.Max")]
    public void QualifiedConstant(int n) { for (int i = 0; i < n; i++) GC.KeepAlive(new Item()); }

    [RequestHandler("NegativeBound")]
    [MaxIterations(-3)]
    public void NegativeBound(int n) { for (int i = 0; i < n; i++) GC.KeepAlive(new Item()); }

    [RequestHandler("NoSuchLoop")]
    [MaxIterations(5, Loop = 3)]
    public void NoSuchLoop(int n) { for (int i = 0; i < n; i++) GC.KeepAlive(new Item()); }

    [RequestHandler("UnboundedArray")]
    public byte[] UnboundedArray(int length) => new byte[length];

    [RequestHandler("BoundedArray")]
    public byte[] BoundedArray([MaxCount(100)] int length) => new byte[length + 1];

    [RequestHandler("MultiDimensional")]
    public int[,] MultiDimensional() => new int[2, 2];

    [RequestHandler("SmallCapacity")]
    [MaxIterations(4)]
    public int SmallCapacity(int n)
    {
        var list = new System.Collections.Generic.List<long>(3);
        for (int i = 0; i < n; i++) list.Add(i);
        return list.Count;
    }

    [RequestHandler("Duplicate")]
    public void First() { }

    [RequestHandler("Duplicate")]
    public void Second() { }

    [RequestHandler("FunctionPointer")]
    public unsafe int FunctionPointer()
    {
        delegate*<int> pointer = &Answer;
        return pointer();
    }

    private static int Answer() => 42;
}

public sealed class Generic<T>
{
    [RequestHandler("GenericHandler")]
    public void Handle() { }
}
