// A size bound on a value: for a collection (List, Dictionary, HashSet, Queue, Stack) the most
// elements it ever holds; for a string or array its greatest length; for an integer its greatest
// value. Put it on the field, parameter or property (its backing field is used) that holds the
// value. maxlive uses it to size collection growth, `new T[n]` and string building.
namespace Biscuit.Annotations;

[AttributeUsage(AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.ReturnValue,
    AllowMultiple = false, Inherited = false)]
public sealed class MaxCountAttribute : Attribute
{
    /// <summary>The bound as a number, or -1 when it is given by <see cref="Constant"/>.</summary>
    public long Count { get; }

    /// <summary>The name of a const field that holds the bound, or null.</summary>
    public string? Constant { get; }

    public MaxCountAttribute(long count) => Count = count;

    public MaxCountAttribute(string constant)
    {
        Count = -1;
        Constant = constant;
    }
}
