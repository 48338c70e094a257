// Turns metadata signatures and type tokens into TypeSig values (System.Reflection.Metadata's
// ISignatureTypeProvider). Signatures are decoded symbolically: generic parameters stay !n / !!n
// and callers substitute the instantiation they analyse. Stateless apart from the AssemblySet.
using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Biscuit.MaxLive.Metadata;

public sealed class SignatureProvider(AssemblySet assemblies) : ISignatureTypeProvider<TypeSig, object?>
{
    public TypeSig GetPrimitiveType(PrimitiveTypeCode typeCode) => new PrimitiveSig(typeCode);

    public TypeSig GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        var def = new TypeDef(assemblies.ModuleOf(reader), handle);
        return new NamedSig(def, def.FullName, assemblies.IsValueType(def), ImmutableArray<TypeSig>.Empty);
    }

    public TypeSig GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        var module = assemblies.ModuleOf(reader);
        if (assemblies.Resolve(module, handle) is { } def)
            return new NamedSig(def, def.FullName, assemblies.IsValueType(def), ImmutableArray<TypeSig>.Empty);
        var reference = reader.GetTypeReference(handle);
        var name = Module.QualifiedName(reader.GetString(reference.Namespace), reader.GetString(reference.Name));
        return new NamedSig(null, name, rawTypeKind == (byte)SignatureTypeKind.ValueType, ImmutableArray<TypeSig>.Empty);
    }

    public TypeSig GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, context);

    public TypeSig GetSZArrayType(TypeSig elementType) => new SzArraySig(elementType);
    public TypeSig GetArrayType(TypeSig elementType, ArrayShape shape) => new MdArraySig(elementType, shape.Rank);
    public TypeSig GetByReferenceType(TypeSig elementType) => new ByRefSig(elementType);
    public TypeSig GetPointerType(TypeSig elementType) => new PointerSig(elementType);
    public TypeSig GetFunctionPointerType(MethodSignature<TypeSig> signature) => new PointerSig(new PrimitiveSig(PrimitiveTypeCode.Void));
    public TypeSig GetGenericMethodParameter(object? context, int index) => new GenericParamSig(index, true);
    public TypeSig GetGenericTypeParameter(object? context, int index) => new GenericParamSig(index, false);
    public TypeSig GetModifiedType(TypeSig modifier, TypeSig unmodifiedType, bool isRequired) => unmodifiedType;
    public TypeSig GetPinnedType(TypeSig elementType) => elementType;

    public TypeSig GetGenericInstantiation(TypeSig genericType, ImmutableArray<TypeSig> typeArguments) =>
        genericType is NamedSig named ? named with { Args = typeArguments } : genericType;

    /// <summary>Decodes a TypeDef, TypeRef or TypeSpec token.</summary>
    public TypeSig FromHandle(Module module, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeDefinition => GetTypeFromDefinition(module.Reader, (TypeDefinitionHandle)handle, 0),
        HandleKind.TypeReference => GetTypeFromReference(module.Reader, (TypeReferenceHandle)handle, 0),
        HandleKind.TypeSpecification => GetTypeFromSpecification(module.Reader, null, (TypeSpecificationHandle)handle, 0),
        _ => throw new MaxLiveException($"{module.Name}: token 0x{MetadataTokens.GetToken(handle):x8} is not a type"),
    };

    public MethodSignature<TypeSig> MethodSignature(MethodDef method) => method.Definition.DecodeSignature(this, null);

    public TypeSig FieldType(FieldDef field) => field.Definition.DecodeSignature(this, null);

    public ImmutableArray<TypeSig> LocalTypes(Module module, StandaloneSignatureHandle handle) =>
        handle.IsNil ? ImmutableArray<TypeSig>.Empty : module.Reader.GetStandaloneSignature(handle).DecodeLocalSignature(this, null);
}
