// Recursion (bounded, unbounded, branching) and virtual calls with several implementations.
using Biscuit.Annotations;

namespace MaxLiveFixtures;

public abstract class Shape
{
    public abstract object Make();
}

/// <summary>Returns a 24-byte object.</summary>
public sealed class SmallShape : Shape { public override object Make() => new Empty(); }

/// <summary>Returns a 32-byte object.</summary>
public sealed class MediumShape : Shape { public override object Make() => new Node(); }

/// <summary>Returns a 24 + 64 = 88-byte array.</summary>
public sealed class LargeShape : Shape { public override object Make() => new byte[64]; }

/// <summary>Returns nothing new, but needs a 24 + 200 = 224-byte scratch buffer while it runs.</summary>
public sealed class ScratchShape : Shape
{
    public override object Make()
    {
        var scratch = new byte[200];
        return scratch.Length > 0 ? "big" : "small";
    }
}

public sealed class Calls
{
    private object _state;
    private static object s_log;

    [RequestHandler("Virtual")]
    public void Virtual(Shape shape) => _state = shape.Make();

    [MaxRecursion(5)]
    private static int Depth(int n)
    {
        var frame = new byte[8];
        return n == 0 ? frame.Length : Depth(n - 1) + frame.Length;
    }

    [RequestHandler("BoundedRecursion")]
    public int BoundedRecursion(int n) => Depth(n);

    private static int Forever(int n)
    {
        var frame = new byte[8];
        return n == 0 ? frame.Length : Forever(n - 1);
    }

    [RequestHandler("UnboundedRecursion")]
    public int UnboundedRecursion(int n) => Forever(n);

    [MaxRecursion(3)]
    private static void Tree(int n)
    {
        s_log = new Empty();
        if (n > 0)
        {
            Tree(n - 1);
            Tree(n - 1);
        }
    }

    [RequestHandler("TreeRecursion")]
    public void TreeRecursion(int n) => Tree(n);

    private static int Count(int n) => n == 0 ? 0 : Count(n - 1) + 1;

    [RequestHandler("RecursionWithoutAllocation")]
    public int RecursionWithoutAllocation(int n) => Count(n);

    [RequestHandler("UnsummarisedLibraryCall")]
    public string UnsummarisedLibraryCall(string text) => text.Normalize();

    [AssumeAllocation(500)]
    private static string Normalise(string text) => text.Normalize();

    [AssumeAllocation(300, StackOnly = true)]
    private static int Measure(string text) => text.Normalize().Length;

    [RequestHandler("AssumedStackOnly")]
    public int AssumedStackOnly(string text) => Measure(text) + Measure(text);

    [RequestHandler("AssumedLibraryCall")]
    public string AssumedLibraryCall(string text) => Normalise(text);
}
