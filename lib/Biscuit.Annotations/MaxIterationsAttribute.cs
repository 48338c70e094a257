// A loop bound, as Biscuit's BOUND/SYMBOUND annotations. On a method it bounds the iterations of
// every loop in the method body; with Loop = k it bounds only the k-th loop (0-based, loops
// ordered by the IL offset of their head, which for C# is source order). The bound is either a
// number or the name of a `const` integer field (use nameof(Limits.MaxPath)); maxlive resolves
// the name against the constants of the analysed assemblies ("Limits.MaxPath" also works and is
// required when two types declare a constant of the same name).
namespace Biscuit.Annotations;

[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = true, Inherited = false)]
public sealed class MaxIterationsAttribute : Attribute
{
    /// <summary>The bound as a number, or -1 when it is given by <see cref="Constant"/>.</summary>
    public long Bound { get; }

    /// <summary>The name of a const field that holds the bound, or null.</summary>
    public string? Constant { get; }

    /// <summary>Which loop (0-based, by IL order of loop heads) this bound applies to; -1 means every loop.</summary>
    public int Loop { get; set; } = -1;

    public MaxIterationsAttribute(long bound) => Bound = bound;

    public MaxIterationsAttribute(string constant)
    {
        Bound = -1;
        Constant = constant;
    }
}
