// Reads the Biscuit.Annotations attributes from metadata (matched by full type name, so the
// analysis never loads the annotated code) and resolves bounds named after `const` fields.
// Bound names: "MaxPath" (unique among the analysed assemblies' constants), "Limits.MaxPath"
// or "Biscuit.Fs.Limits.MaxPath". Invariant: every bound returned is a number >= 0; anything
// else is a MaxLiveException naming the method or field that carries the bad annotation.
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using Biscuit.MaxLive.Metadata;
using Module = Biscuit.MaxLive.Metadata.Module;

namespace Biscuit.MaxLive.Analysis;

public sealed record LoopBound(long Bound, int Loop, string Source);
public sealed record AssumedAllocation(long Bytes, bool StackOnly);

public sealed class Annotations
{
    private const string Ns = "Biscuit.Annotations.";
    private readonly AssemblySet _assemblies;
    // "Type.Name" suffix forms -> (qualified name, value), built once from every analysed const.
    private readonly List<(string Qualified, long Value)> _constants = new();

    public Annotations(AssemblySet assemblies)
    {
        _assemblies = assemblies;
        foreach (var module in assemblies.Analysed)
            foreach (var handle in module.Reader.FieldDefinitions)
            {
                var field = new FieldDef(module, handle);
                var definition = field.Definition;
                if ((definition.Attributes & FieldAttributes.Literal) == 0 || definition.GetDefaultValue().IsNil) continue;
                var constant = module.Reader.GetConstant(definition.GetDefaultValue());
                var blob = module.Reader.GetBlobReader(constant.Value);
                long? value = constant.TypeCode switch
                {
                    ConstantTypeCode.SByte => blob.ReadSByte(), ConstantTypeCode.Byte => blob.ReadByte(),
                    ConstantTypeCode.Int16 => blob.ReadInt16(), ConstantTypeCode.UInt16 => blob.ReadUInt16(),
                    ConstantTypeCode.Int32 => blob.ReadInt32(), ConstantTypeCode.UInt32 => blob.ReadUInt32(),
                    ConstantTypeCode.Int64 => blob.ReadInt64(),
                    _ => null,
                };
                if (value is { } v) _constants.Add((field.DeclaringType.FullName.Replace('+', '.') + "." + field.Name, v));
            }
    }

    /// <summary>The value of the const named by a bound annotation.</summary>
    public long ResolveConstant(string name, string where)
    {
        var matches = _constants.Where(c => c.Qualified == name || c.Qualified.EndsWith("." + name, StringComparison.Ordinal)).ToList();
        if (matches.Count == 0)
            throw new MaxLiveException($"{where}: bound \"{name}\" names no integer const field in the analysed assemblies");
        if (matches.Select(m => m.Value).Distinct().Count() > 1)
            throw new MaxLiveException($"{where}: bound \"{name}\" is ambiguous ({string.Join(", ", matches.Select(m => m.Qualified))}); qualify it, e.g. \"Limits.{name}\"");
        return NonNegative(matches[0].Value, where);
    }

    private static long NonNegative(long value, string where) =>
        value >= 0 ? value : throw new MaxLiveException($"{where}: a bound must not be negative (got {value})");

    public string? RequestName(MethodDef method) =>
        FindFirst(method.Module, method.Definition.GetCustomAttributes(), "RequestHandlerAttribute") is { } a
            ? a.FixedArguments[0].Value as string ?? throw new MaxLiveException($"{method}: [RequestHandler] needs a request name")
            : null;

    public List<LoopBound> LoopBounds(MethodDef method)
    {
        var result = new List<LoopBound>();
        foreach (var a in Find(method.Module, method.Definition.GetCustomAttributes(), "MaxIterationsAttribute"))
        {
            var bound = NumberOrConstant(a.FixedArguments[0].Value, $"{method} [MaxIterations]");
            var loop = a.NamedArguments.FirstOrDefault(n => n.Name == "Loop").Value is int l ? l : -1;
            var source = a.FixedArguments[0].Value is string s ? $"[MaxIterations(\"{s}\") = {bound}]" : $"[MaxIterations({bound})]";
            result.Add(new LoopBound(bound, loop, source));
        }
        return result;
    }

    public (long Depth, string Source)? RecursionBound(MethodDef method) =>
        FindFirst(method.Module, method.Definition.GetCustomAttributes(), "MaxRecursionAttribute") is { } a
            ? (NumberOrConstant(a.FixedArguments[0].Value, $"{method} [MaxRecursion]"), $"[MaxRecursion] on {method}")
            : null;

    public AssumedAllocation? Assumption(MethodDef method)
    {
        if (FindFirst(method.Module, method.Definition.GetCustomAttributes(), "AssumeAllocationAttribute") is not { } a) return null;
        var bytes = NonNegative(Convert.ToInt64(a.FixedArguments[0].Value), $"{method} [AssumeAllocation]");
        var stackOnly = a.NamedArguments.FirstOrDefault(n => n.Name == "StackOnly").Value is true;
        return new AssumedAllocation(bytes, stackOnly);
    }

    /// <summary>[MaxCount] on a field, or on the property whose backing field it is.</summary>
    public long? CountBound(FieldDef field)
    {
        var where = $"{field} [MaxCount]";
        if (FindFirst(field.Module, field.Definition.GetCustomAttributes(), "MaxCountAttribute") is { } a)
            return NumberOrConstant(a.FixedArguments[0].Value, where);
        // `[field: MaxCount]` is the usual form on auto-properties; also honour the attribute on the property itself.
        var name = field.Name;
        if (name.StartsWith('<') && name.EndsWith(">k__BackingField", StringComparison.Ordinal))
        {
            var propertyName = name[1..name.IndexOf('>')];
            var owner = field.DeclaringType.Definition;
            foreach (var handle in owner.GetProperties())
            {
                var property = field.Module.Reader.GetPropertyDefinition(handle);
                if (field.Module.Reader.GetString(property.Name) != propertyName) continue;
                if (FindFirst(field.Module, property.GetCustomAttributes(), "MaxCountAttribute") is { } p)
                    return NumberOrConstant(p.FixedArguments[0].Value, where);
            }
        }
        return null;
    }

    /// <summary>[MaxCount] on parameter number `index` (0 = first declared parameter, not `this`).</summary>
    public long? CountBound(MethodDef method, int index)
    {
        foreach (var handle in method.Definition.GetParameters())
        {
            var parameter = method.Module.Reader.GetParameter(handle);
            if (parameter.SequenceNumber != index + 1) continue;
            if (FindFirst(method.Module, parameter.GetCustomAttributes(), "MaxCountAttribute") is { } a)
                return NumberOrConstant(a.FixedArguments[0].Value, $"{method} parameter {index} [MaxCount]");
        }
        return null;
    }

    /// <summary>[return: MaxCount] on a method.</summary>
    public long? ReturnCountBound(MethodDef method)
    {
        foreach (var handle in method.Definition.GetParameters())
        {
            var parameter = method.Module.Reader.GetParameter(handle);
            if (parameter.SequenceNumber != 0) continue;
            if (FindFirst(method.Module, parameter.GetCustomAttributes(), "MaxCountAttribute") is { } a)
                return NumberOrConstant(a.FixedArguments[0].Value, $"{method} return value [MaxCount]");
        }
        return null;
    }

    private long NumberOrConstant(object? value, string where) => value switch
    {
        string name => ResolveConstant(name, where),
        long number => NonNegative(number, where),
        int number => NonNegative(number, where),
        _ => throw new MaxLiveException($"{where}: the bound must be a number or a const field's name"),
    };

    private CustomAttributeValue<TypeSig>? FindFirst(Module module, CustomAttributeHandleCollection attributes, string name) =>
        Find(module, attributes, name).Select(a => (CustomAttributeValue<TypeSig>?)a).FirstOrDefault();

    private IEnumerable<CustomAttributeValue<TypeSig>> Find(Module module, CustomAttributeHandleCollection attributes, string name)
    {
        foreach (var handle in attributes)
        {
            var attribute = module.Reader.GetCustomAttribute(handle);
            if (AttributeTypeName(module.Reader, attribute) != Ns + name) continue;
            yield return attribute.DecodeValue(new AttributeTypeProvider(_assemblies));
        }
    }

    private static string? AttributeTypeName(MetadataReader reader, CustomAttribute attribute)
    {
        EntityHandle owner = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default,
        };
        return owner.Kind switch
        {
            HandleKind.TypeReference => Module.QualifiedName(reader.GetString(reader.GetTypeReference((TypeReferenceHandle)owner).Namespace),
                reader.GetString(reader.GetTypeReference((TypeReferenceHandle)owner).Name)),
            HandleKind.TypeDefinition => Module.QualifiedName(reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)owner).Namespace),
                reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)owner).Name)),
            _ => null,
        };
    }

    /// <summary>Decodes attribute blobs (ECMA-335 §II.23.3); our attributes use only primitives and strings.</summary>
    private sealed class AttributeTypeProvider(AssemblySet assemblies) : ICustomAttributeTypeProvider<TypeSig>
    {
        public TypeSig GetPrimitiveType(PrimitiveTypeCode typeCode) => new PrimitiveSig(typeCode);
        public TypeSig GetSystemType() => new NamedSig(null, "System.Type", false, ImmutableArray<TypeSig>.Empty);
        public TypeSig GetSZArrayType(TypeSig elementType) => new SzArraySig(elementType);
        public TypeSig GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            assemblies.Signatures.GetTypeFromDefinition(reader, handle, rawTypeKind);
        public TypeSig GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
            assemblies.Signatures.GetTypeFromReference(reader, handle, rawTypeKind);
        public TypeSig GetTypeFromSerializedName(string name) => new NamedSig(null, name, false, ImmutableArray<TypeSig>.Empty);
        public PrimitiveTypeCode GetUnderlyingEnumType(TypeSig type) => PrimitiveTypeCode.Int32;
        public bool IsSystemType(TypeSig type) => type is NamedSig { FullName: "System.Type" };
    }
}
