// A recursion bound: this method appears at most Depth times on any call stack. maxlive requires
// it on every method of a recursive cycle (strongly connected component of the call graph) whose
// frames allocate; the cycle's depth is then at most the sum of its members' bounds.
namespace Biscuit.Annotations;

[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = false, Inherited = false)]
public sealed class MaxRecursionAttribute : Attribute
{
    /// <summary>The bound as a number, or -1 when it is given by <see cref="Constant"/>.</summary>
    public long Depth { get; }

    /// <summary>The name of a const field that holds the bound, or null.</summary>
    public string? Constant { get; }

    public MaxRecursionAttribute(long depth) => Depth = depth;

    public MaxRecursionAttribute(string constant)
    {
        Depth = -1;
        Constant = constant;
    }
}
