// An override, for code maxlive cannot analyse (a library call without a summary, an indirect
// call it cannot resolve, unsafe code): maxlive does not look inside the method and charges each
// call `Bytes`. By default those bytes escape (they are counted for the whole request, the sound
// choice); StackOnly = true says the programmer guarantees nothing allocated survives the call,
// so the bytes count only while the call's frame is live. This is a trusted assertion: it is
// listed in every derivation (`maxlive explain`) so a reviewer can see what was assumed.
namespace Biscuit.Annotations;

[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = false, Inherited = false)]
public sealed class AssumeAllocationAttribute : Attribute
{
    /// <summary>Bytes one call may allocate, everything included.</summary>
    public long Bytes { get; }

    /// <summary>True when nothing allocated by the call outlives its frame.</summary>
    public bool StackOnly { get; set; }

    public AssumeAllocationAttribute(long bytes) => Bytes = bytes;
}
