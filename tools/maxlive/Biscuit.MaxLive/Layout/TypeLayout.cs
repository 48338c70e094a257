// The size model: how many bytes of GC heap one object takes on x86-64 .NET (CoreCLR and
// NativeAOT share it). Every rule gives an upper bound of the runtime's real size:
//   object   = 8 (object header) + 8 (MethodTable pointer) + field blocks, at least 24 bytes.
//              Each class in the inheritance chain contributes one block: its instance fields
//              packed in decreasing alignment (so no padding inside), padded to 8 bytes.
//   array    = 8 + 8 + 8 (length, padded) + n * element size, rounded up to 8, at least 24.
//   string   = 8 + 8 + 4 (length) + 2 * (n + 1) (chars and terminator), rounded up to 8.
//   boxed T  = 8 + 8 + size of T, rounded up to 8, at least 24 (Nullable<T> boxes as T).
//   struct   = fields in declaration order at their natural alignment, padded to the largest
//              alignment (ECMA-335 §II.10.7 sequential layout), explicit layout = ClassSize or
//              the end of its furthest field; an empty struct is 1 byte; [InlineArray(n)] = n
//              times its one field. A class with explicit layout: the end of its furthest field.
// Sizes come from the types' real metadata (the BCL's from the runtime directory), with the
// instantiation substituted. Unknown sizes are errors, never zero.
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Layout;

public sealed class TypeLayout(AssemblySet assemblies)
{
    public const long ObjectHeader = 16;   // object header word + MethodTable pointer
    public const long MinObjectSize = 24;
    public const long ArrayHeader = 24;    // header + MethodTable + length (padded to 8)
    public const long PointerSize = 8;

    // Memoised sizes by the type's text form; written only here.
    private readonly Dictionary<string, (long Size, long Align)> _valueLayouts = new();
    private readonly Dictionary<string, long> _classFieldBytes = new();

    public static long RoundUp(long value, long alignment) => checked((value + alignment - 1) / alignment * alignment);

    /// <summary>Heap bytes of one instance of a reference type (newobj).</summary>
    public long ObjectSize(TypeSig type)
    {
        if (type is PrimitiveSig { Code: PrimitiveTypeCode.Object }) return MinObjectSize;
        if (type is PrimitiveSig { Code: PrimitiveTypeCode.String })
            throw new MaxLiveException("a string's size depends on its length; use StringSize");
        var named = RequireNamed(type);
        return Math.Max(MinObjectSize, ObjectHeader + ClassFieldBytes(named));
    }

    /// <summary>Heap bytes of a one-dimensional array of `length` elements.</summary>
    public long ArraySize(TypeSig element, long length) =>
        Math.Max(MinObjectSize, RoundUp(checked(ArrayHeader + length * ElementSize(element)), 8));

    public static long StringSize(long length) => RoundUp(checked(ObjectHeader + 4 + 2 * (length + 1)), 8);

    /// <summary>Heap bytes of a boxed value of the given value type.</summary>
    public long BoxSize(TypeSig valueType)
    {
        if (valueType is NamedSig { FullName: "System.Nullable`1" } nullable) valueType = nullable.Args[0];
        return Math.Max(MinObjectSize, RoundUp(ObjectHeader + ValueLayout(valueType).Size, 8));
    }

    /// <summary>Bytes one element takes in an array or a field: a reference is a pointer.</summary>
    public long ElementSize(TypeSig type) => type.IsReference ? PointerSize : ValueLayout(type).Size;

    /// <summary>Size and alignment of a value stored inline (field, array element, box payload).</summary>
    public (long Size, long Align) ValueLayout(TypeSig type)
    {
        switch (type)
        {
            case PrimitiveSig p:
                return p.Code switch
                {
                    PrimitiveTypeCode.Boolean or PrimitiveTypeCode.SByte or PrimitiveTypeCode.Byte => (1, 1),
                    PrimitiveTypeCode.Char or PrimitiveTypeCode.Int16 or PrimitiveTypeCode.UInt16 => (2, 2),
                    PrimitiveTypeCode.Int32 or PrimitiveTypeCode.UInt32 or PrimitiveTypeCode.Single => (4, 4),
                    PrimitiveTypeCode.TypedReference => (16, 8),
                    PrimitiveTypeCode.Void => throw new MaxLiveException("void has no size"),
                    _ => (8, 8), // long, ulong, double, nint, nuint, string, object
                };
            case SzArraySig or MdArraySig or PointerSig or ByRefSig:
                return (8, 8);
            case GenericParamSig g:
                throw new MaxLiveException($"the size of generic parameter {g} is not known in this context (analyse a closed instantiation)");
            case NamedSig n when !n.IsValueType:
                return (8, 8);
            case NamedSig n:
                return StructLayout(n);
            default:
                throw new MaxLiveException($"no size rule for {type}");
        }
    }

    private (long Size, long Align) StructLayout(NamedSig type)
    {
        var key = type.ToString();
        if (_valueLayouts.TryGetValue(key, out var known)) return known;
        var def = type.Def ?? throw new MaxLiveException($"cannot size {type}: its assembly was not found");
        var definition = def.Definition;
        var declared = definition.GetLayout();
        long size = 0, align = 1;
        bool isExplicit = (definition.Attributes & TypeAttributes.LayoutMask) == TypeAttributes.ExplicitLayout;
        foreach (var (field, fieldType) in InstanceFields(def, type.Args))
        {
            var (fieldSize, fieldAlign) = ValueLayout(fieldType);
            if (declared.PackingSize > 0) fieldAlign = Math.Min(fieldAlign, declared.PackingSize);
            align = Math.Max(align, fieldAlign);
            if (isExplicit)
                size = Math.Max(size, field.Definition.GetOffset() + fieldSize);
            else
                size = RoundUp(size, fieldAlign) + fieldSize;
        }
        size = size == 0 ? 1 : RoundUp(size, align);
        if (InlineArrayLength(def) is { } length) size = checked(size * length); // [InlineArray(n)]: n copies of its one field
        size = Math.Max(size, declared.Size);
        _valueLayouts[key] = (size, align);
        return (size, align);
    }

    /// <summary>Field bytes of a class and all its bases, each level packed and padded to 8.</summary>
    private long ClassFieldBytes(NamedSig type)
    {
        var key = type.ToString();
        if (_classFieldBytes.TryGetValue(key, out var known)) return known;
        var def = type.Def ?? throw new MaxLiveException($"cannot size {type}: its assembly was not found");
        if (def.FullName == "System.Object") return 0;
        long own = 0;
        bool isExplicit = (def.Definition.Attributes & TypeAttributes.LayoutMask) == TypeAttributes.ExplicitLayout;
        foreach (var (field, fieldType) in InstanceFields(def, type.Args))
            own = isExplicit ? Math.Max(own, field.Definition.GetOffset() + ValueLayout(fieldType).Size) : checked(own + ValueLayout(fieldType).Size);
        long total = RoundUp(own, 8);
        if (assemblies.BaseType(def) is NamedSig baseType)
            total = checked(total + ClassFieldBytes((NamedSig)baseType.Substitute(type.Args, ImmutableArray<TypeSig>.Empty)));
        _classFieldBytes[key] = total;
        return total;
    }

    /// <summary>The length of System.Runtime.CompilerServices.InlineArrayAttribute(length) on a struct, if present.</summary>
    private static long? InlineArrayLength(TypeDef def)
    {
        var reader = def.Module.Reader;
        foreach (var handle in def.Definition.GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference) continue;
            var parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind != HandleKind.TypeReference) continue;
            var typeReference = reader.GetTypeReference((TypeReferenceHandle)parent);
            if (reader.GetString(typeReference.Name) != "InlineArrayAttribute") continue;
            var blob = reader.GetBlobReader(attribute.Value);
            if (blob.Length < 6 || blob.ReadUInt16() != 1) continue; // prolog 0x0001, then int32 length (ECMA-335 §II.23.3)
            return blob.ReadInt32();
        }
        return null;
    }

    private IEnumerable<(FieldDef Field, TypeSig Type)> InstanceFields(TypeDef def, ImmutableArray<TypeSig> args)
    {
        foreach (var handle in def.Definition.GetFields())
        {
            var field = new FieldDef(def.Module, handle);
            if ((field.Definition.Attributes & FieldAttributes.Static) != 0) continue;
            yield return (field, assemblies.Signatures.FieldType(field).Substitute(args, ImmutableArray<TypeSig>.Empty));
        }
    }

    private static NamedSig RequireNamed(TypeSig type) => type as NamedSig
        ?? throw new MaxLiveException($"no object size rule for {type}");
}
