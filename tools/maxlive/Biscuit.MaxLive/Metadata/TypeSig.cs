// The analysis's model of a type as it appears in a signature: what System.Reflection.Metadata's
// signature decoder produces through SignatureTypeProvider. Generic parameters stay symbolic
// until substituted with an instantiation (Substitute). Invariant: Named.Def is the resolved
// definition when the type could be found in the analysed assemblies or the runtime directory;
// null only when the defining assembly is missing, and every size query on it is then an error.
using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Biscuit.MaxLive.Metadata;

public abstract record TypeSig
{
    /// <summary>A stable text form, used for signature matching and in messages.</summary>
    public abstract override string ToString();

    public TypeSig Substitute(ImmutableArray<TypeSig> typeArgs, ImmutableArray<TypeSig> methodArgs) => this switch
    {
        GenericParamSig { IsMethod: false } g when g.Index < typeArgs.Length => typeArgs[g.Index],
        GenericParamSig { IsMethod: true } g when g.Index < methodArgs.Length => methodArgs[g.Index],
        NamedSig n when n.Args.Length > 0 => n with { Args = n.Args.Select(a => a.Substitute(typeArgs, methodArgs)).ToImmutableArray() },
        SzArraySig a => new SzArraySig(a.Element.Substitute(typeArgs, methodArgs)),
        MdArraySig a => new MdArraySig(a.Element.Substitute(typeArgs, methodArgs), a.Rank),
        ByRefSig r => new ByRefSig(r.Element.Substitute(typeArgs, methodArgs)),
        PointerSig p => new PointerSig(p.Element.Substitute(typeArgs, methodArgs)),
        _ => this,
    };

    /// <summary>True when the value of this type is an object reference (a GC pointer).</summary>
    public bool IsReference => this switch
    {
        PrimitiveSig p => p.Code is PrimitiveTypeCode.String or PrimitiveTypeCode.Object,
        NamedSig n => !n.IsValueType,
        SzArraySig or MdArraySig => true,
        _ => false,
    };

    /// <summary>True when the type still mentions an unsubstituted generic parameter.</summary>
    public bool IsOpen => this switch
    {
        GenericParamSig => true,
        NamedSig n => n.Args.Any(a => a.IsOpen),
        SzArraySig a => a.Element.IsOpen,
        MdArraySig a => a.Element.IsOpen,
        ByRefSig r => r.Element.IsOpen,
        PointerSig p => p.Element.IsOpen,
        _ => false,
    };
}

public sealed record PrimitiveSig(PrimitiveTypeCode Code) : TypeSig
{
    public override string ToString() => Code switch
    {
        PrimitiveTypeCode.Boolean => "bool", PrimitiveTypeCode.Char => "char",
        PrimitiveTypeCode.SByte => "sbyte", PrimitiveTypeCode.Byte => "byte",
        PrimitiveTypeCode.Int16 => "short", PrimitiveTypeCode.UInt16 => "ushort",
        PrimitiveTypeCode.Int32 => "int", PrimitiveTypeCode.UInt32 => "uint",
        PrimitiveTypeCode.Int64 => "long", PrimitiveTypeCode.UInt64 => "ulong",
        PrimitiveTypeCode.Single => "float", PrimitiveTypeCode.Double => "double",
        PrimitiveTypeCode.IntPtr => "nint", PrimitiveTypeCode.UIntPtr => "nuint",
        PrimitiveTypeCode.String => "string", PrimitiveTypeCode.Object => "object",
        PrimitiveTypeCode.Void => "void", PrimitiveTypeCode.TypedReference => "TypedReference",
        _ => Code.ToString(),
    };
}

/// <summary>A class, struct, enum, interface or delegate, possibly instantiated.</summary>
public sealed record NamedSig(TypeDef? Def, string FullName, bool IsValueType, ImmutableArray<TypeSig> Args) : TypeSig
{
    public override string ToString() =>
        Args.Length == 0 ? FullName : $"{FullName}<{string.Join(",", Args.Select(a => a.ToString()))}>";

    public bool Equals(NamedSig? other) => other is not null && ToString() == other.ToString();
    public override int GetHashCode() => ToString().GetHashCode();
}

public sealed record SzArraySig(TypeSig Element) : TypeSig
{
    public override string ToString() => $"{Element}[]";
}

public sealed record MdArraySig(TypeSig Element, int Rank) : TypeSig
{
    public override string ToString() => $"{Element}[{new string(',', Rank - 1)}]";
}

public sealed record ByRefSig(TypeSig Element) : TypeSig
{
    public override string ToString() => $"{Element}&";
}

/// <summary>Unmanaged and function pointers: 8 bytes, never a GC reference.</summary>
public sealed record PointerSig(TypeSig Element) : TypeSig
{
    public override string ToString() => $"{Element}*";
}

public sealed record GenericParamSig(int Index, bool IsMethod) : TypeSig
{
    public override string ToString() => IsMethod ? $"!!{Index}" : $"!{Index}";
}
